/* SPDX-License-Identifier: MIT */
/* Included by unit tests only (*_test.c): cmocka and a few helpers. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the above first. */
#include <cmocka.h>

#include "core/util.h"

#define assert_str(a, b) assert_string_equal((a), (b))
