#include "cs_lua.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    cs_sandbox *sb = (cs_sandbox *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (sb->limit && nsize > old && sb->used + (nsize - old) > sb->limit) return NULL;
    void *p = realloc(ptr, nsize);
    if (p) sb->used = sb->used - old + nsize;
    return p;
}

static int (*interrupt_check)(void) = NULL;

void cs_sandbox_set_interrupt_check(int (*check)(void)) { interrupt_check = check; }

static cs_sandbox *sandbox_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (cs_sandbox *)ud;
}

static void budget_hook(lua_State *L, lua_Debug *ar);

/// Raises the stop reason; from then on the hook fires at every instruction, so code that caught
/// the error (a message handler, a __close method) is stopped again straight away.
static int raise_stop(lua_State *L, cs_sandbox *sb) {
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    if (sb->stop == CS_STOP_INTERRUPT) return luaL_error(L, "interrupted");
    return luaL_error(L, "instruction budget exhausted (endless loop?)");
}

void cs_sandbox_charge(lua_State *L, cs_sandbox *sb) {
    if (sb->stop == CS_STOP_NONE) {
        if (interrupt_check && interrupt_check()) sb->stop = CS_STOP_INTERRUPT;
        else if (--sb->budget <= 0) sb->stop = CS_STOP_BUDGET;
    }
    if (sb->stop != CS_STOP_NONE) raise_stop(L, sb);
}

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    cs_sandbox_charge(L, sandbox_of(L));
}

/// pcall and xpcall that cannot swallow what the host stops: the budget, Ctrl-C and running out
/// of memory are raised again instead of returned as false.
static int finish_protected(lua_State *L, int status, int base) {
    if (status != LUA_OK) {
        if (status == LUA_ERRMEM || sandbox_of(L)->stop != CS_STOP_NONE) return lua_error(L);
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, base);
    return lua_gettop(L) - base + 1;
}

static int sandbox_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    return finish_protected(L, status, 1);
}

/// Wraps xpcall's message handler: once the host has stopped the call, the handler is skipped.
/// (Lua runs the handler before unwinding, with hooks off when the error came from the hook, so
/// a handler that loops would never be stopped.)
static int guarded_handler(lua_State *L) {
    if (sandbox_of(L)->stop != CS_STOP_NONE) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sandbox_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, 1);  // function, handler, args…, function
    lua_rotate(L, 3, 1);  // function, handler, function, args…
    int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
    return finish_protected(L, status, 3);
}

/// setmetatable without finalizers: a `__gc` would run outside any call, without the budget or
/// the memory cap (during loading, between calls, at exit).
static int sandbox_setmetatable(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    int kind = lua_type(L, 2);
    luaL_argexpected(L, kind == LUA_TNIL || kind == LUA_TTABLE, 2, "nil or table");
    if (kind == LUA_TTABLE && lua_getfield(L, 2, "__gc") != LUA_TNIL)
        return luaL_error(L, "finalizers (__gc) are not allowed in plugins and scripts");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static void remove_field(lua_State *L, const char *table, const char *field) {
    if (table) {
        lua_getglobal(L, table);
        if (lua_istable(L, -1)) {
            lua_pushnil(L);
            lua_setfield(L, -2, field);
        }
        lua_pop(L, 1);
    } else {
        lua_pushnil(L);
        lua_setglobal(L, field);
    }
}

lua_State *cs_sandbox_new(cs_sandbox *sb) {
    lua_State *L = lua_newstate(capped_alloc, sb);
    if (!L) return NULL;
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_pop(L, 5);

    // os: only time, date and clock.
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
    lua_newtable(L);
    const char *keep[] = {"time", "date", "clock", NULL};
    for (int i = 0; keep[i]; i++) {
        lua_getfield(L, -2, keep[i]);
        lua_setfield(L, -2, keep[i]);
    }
    lua_setglobal(L, "os");
    lua_pop(L, 1);

    remove_field(L, NULL, "dofile");
    remove_field(L, NULL, "loadfile");
    // `load` stays until the host's prelude has taken a private copy (text mode only) and removed it.
    remove_field(L, NULL, "require");
    remove_field(L, NULL, "collectgarbage");
    remove_field(L, "string", "dump");
    lua_register(L, "pcall", sandbox_pcall);
    lua_register(L, "xpcall", sandbox_xpcall);
    lua_register(L, "setmetatable", sandbox_setmetatable);
    cs_sandbox_install_patterns(L);
    return L;
}

void cs_sandbox_arm(lua_State *L, long instructions) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    cs_sandbox *sb = (cs_sandbox *)ud;
    sb->budget = instructions / CS_HOOK_STEP + 1;
    sb->stop = CS_STOP_NONE;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, CS_HOOK_STEP);
}

void cs_sandbox_disarm(lua_State *L) { lua_sethook(L, NULL, 0, 0); }

/// Pushes "file:line: " of the nearest caller outside the host's prelude (the plugin's own line).
static void push_plugin_position(lua_State *L) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && strcmp(ar.source, "=prelude") != 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

static int host_trampoline(lua_State *L) {
    cs_host_fn fn = (cs_host_fn)lua_touserdata(L, lua_upvalueindex(1));
    cs_host_result result = {NULL, 0, NULL};
    fn(L, &result);
    if (result.error) {
        push_plugin_position(L);
        lua_pushstring(L, result.error);
        free(result.error);
        free(result.value);
        lua_concat(L, 2);
        return lua_error(L);  // raised here, in C, after the host function has returned
    }
    if (!result.value) return 0;
    lua_pushlstring(L, result.value, result.length);
    free(result.value);
    return 1;
}

void cs_push_host_function(lua_State *L, cs_host_fn fn) {
    lua_pushlightuserdata(L, (void *)fn);
    lua_pushcclosure(L, host_trampoline, 1);
}

int cs_load_text(lua_State *L, const char *text, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, text, len, chunkname, "t");
}

int cs_protected_call(lua_State *L, int nargs, int nresults) {
    return lua_pcall(L, nargs, nresults, 0);
}

static int panic_handler(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "callscope: unrecoverable Lua error outside a protected call: %s\n", msg ? msg : "?");
    abort();
}

void cs_sandbox_set_panic(lua_State *L) { lua_atpanic(L, panic_handler); }

int cs_load_trusted_binary(lua_State *L, const char *bytes, size_t len, const char *chunkname) {
    return luaL_loadbufferx(L, bytes, len, chunkname, "b");
}

typedef struct dump_buffer { char *data; size_t len, cap; int failed; } dump_buffer;

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud) {
    (void)L;
    dump_buffer *b = (dump_buffer *)ud;
    if (b->len + sz > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + sz) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) { b->failed = 1; return 1; }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, sz);
    b->len += sz;
    return 0;
}

int cs_dump_function(lua_State *L, char **out, size_t *len) {
    dump_buffer b = {NULL, 0, 0, 0};
    int status = lua_dump(L, dump_writer, &b, 0);
    if (status != 0 || b.failed) { free(b.data); return 1; }
    *out = b.data;
    *len = b.len;
    return 0;
}
