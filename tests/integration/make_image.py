#!/usr/bin/env python3
"""Writes an OCI image layout directory from a JSON description, for the
integration tests: the layers, whiteouts, hostile entries and manifest
shapes that umoci and skopeo cannot make on demand.

    make_image.py OUT_DIR < SPEC.json

SPEC:
  {"ref": "name:tag",                      # org.opencontainers.image.ref.name
   "manifest": "oci" | "docker",           # media types of manifest and layers
   "config": {"Cmd": [...], ...},          # the image config's "config"
   "layers": [{"compression": "gzip" | "zstd" | "none",
               "tar": "/path/of/a/ready/layer.tar",  # instead of entries
               "entries": [{"path": "etc/x", "type": "file" | "dir" | "symlink" |
                            "hardlink" | "fifo" | "random", "content": "...", "mode": 420,
                            "size": 1000000,  # "random": that many random bytes
                            "uid": 0, "gid": 0, "target": "...",
                            "xattrs": {"user.k": "v"}}]}],
   "platforms": ["linux/amd64", "linux/arm64"]}  # optional: an index of one
                                                   # manifest per platform
Prints nothing; exits non-zero on a bad SPEC.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile


def write_blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(out, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def layer_tar(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e["path"])
            info.mode = e.get("mode", 0o755 if e["type"] == "dir" else 0o644)
            info.uid, info.gid = e.get("uid", 0), e.get("gid", 0)
            info.mtime = e.get("mtime", 1700000000)
            if e.get("xattrs"):
                info.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            data = None
            kind = e["type"]
            if kind == "file":
                data = e.get("content", "").encode()
                info.size = len(data)
            elif kind == "random":  # SIZE incompressible bytes (benchmarks)
                data = os.urandom(e["size"])
                info.size = len(data)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, e["target"]
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, e["target"]
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            else:
                sys.exit("unknown entry type " + kind)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def compress(data, kind):
    if kind == "gzip":
        return gzip.compress(data, mtime=0)
    if kind == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


def media_types(manifest_kind, compression):
    if manifest_kind == "docker":
        layer = {"gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "zstd": "application/vnd.docker.image.rootfs.diff.tar.zstd",
                 "none": "application/vnd.docker.image.rootfs.diff.tar.gzip"}[compression]
        return ("application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.docker.container.image.v1+json", layer)
    suffix = {"gzip": "+gzip", "zstd": "+zstd", "none": ""}[compression]
    return ("application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar" + suffix)


def image_manifest(out, spec, architecture):
    kind = spec.get("manifest", "oci")
    layers, diff_ids = [], []
    for layer in spec["layers"]:
        compression = layer.get("compression", "gzip")
        if "tar" in layer:
            with open(layer["tar"], "rb") as f:
                tar = f.read()
        else:
            tar = layer_tar(layer["entries"])
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
        digest, size = write_blob(out, compress(tar, compression))
        layers.append({"mediaType": media_types(kind, compression)[2], "digest": digest,
                       "size": size})
    config = {"architecture": architecture, "os": "linux", "created": "2024-01-01T00:00:00Z",
              "config": spec.get("config", {}),
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "make_image.py"}]}
    manifest_type, config_type, _ = media_types(kind, "gzip")
    config_digest, config_size = write_blob(out, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": manifest_type,
                "config": {"mediaType": config_type, "digest": config_digest,
                           "size": config_size},
                "layers": layers}
    digest, size = write_blob(out, json.dumps(manifest).encode())
    return {"mediaType": manifest_type, "digest": digest, "size": size}


def main():
    out = sys.argv[1]
    spec = json.load(sys.stdin)
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    platforms = spec.get("platforms")
    if platforms:
        entries = []
        for platform in platforms:
            os_name, architecture = platform.split("/")[:2]
            descriptor = image_manifest(out, spec, architecture)
            descriptor["platform"] = {"os": os_name, "architecture": architecture}
            entries.append(descriptor)
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": entries}
        digest, size = write_blob(out, json.dumps(index).encode())
        top = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": digest,
               "size": size}
    else:
        top = image_manifest(out, spec, spec.get("architecture", "amd64"))
    if spec.get("ref"):
        top["annotations"] = {"org.opencontainers.image.ref.name": spec["ref"]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [top]}, f)


main()
