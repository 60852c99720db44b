// Lua 5.4 headers from the system (pkg-config lua5.4).
#ifndef CALLSCOPE_CLUA_SHIM_H
#define CALLSCOPE_CLUA_SHIM_H
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#endif
