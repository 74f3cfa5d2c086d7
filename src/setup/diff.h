/* SPDX-License-Identifier: MIT */
/* Unified diffs for the plans of setup and repair: what a file is now and what it will be. */
#pragma once

#include "core/util.h"

