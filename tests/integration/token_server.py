#!/usr/bin/env python3
"""A token issuer for Debian's docker-registry in token-auth mode, as the
distribution spec describes one (Docker Hub's auth.docker.io is such a
server), for the pull tests: no Debian package provides one.

    token_server.py PORT KEY.pem CERT.pem

GET /token?service=S&scope=repository:NAME:ACTIONS issues an RS256 JWT signed
with KEY (its certificate in the x5c header, which the registry checks against
its rootcertbundle). Anonymous clients get "pull" on repositories under
"public/"; Basic "tester:secret" gets what it asks for anywhere.
"""
import base64
import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port, key, cert = int(sys.argv[1]), sys.argv[2], sys.argv[3]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                     stdout=subprocess.PIPE).stdout


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                               input=signing_input.encode(), stdout=subprocess.PIPE,
                               check=True).stdout
    return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            self.send_error(404)
            return
        query = parse_qs(url.query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user_password = base64.b64decode(auth[6:]).decode()
            if user_password != "tester:secret":
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            user = "tester"
        access = []
        for scope in query.get("scope", []):
            kind, name, actions = scope.split(":")
            granted = actions.split(",") if user else (["pull"] if name.startswith("public/") else [])
            granted = [a for a in granted if a in actions.split(",")]
            if granted:
                access.append({"type": kind, "name": name, "actions": granted})
        now = int(time.time())
        token = sign({"iss": "husk-test-issuer", "sub": user or "", "aud": query.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(now) + str(id(self)),
                      "access": access})
        body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
