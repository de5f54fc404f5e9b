#include "humanize.h"
