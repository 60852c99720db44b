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

static void budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    void *ud = NULL;
    lua_getallocf(L, &ud);
    cs_sandbox *sb = (cs_sandbox *)ud;
    if (--sb->budget <= 0) {
        sb->budget_exhausted = 1;
        luaL_error(L, "instruction budget exhausted (endless loop?)");
    }
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
    return L;
}

void cs_sandbox_arm(lua_State *L, long instructions) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    cs_sandbox *sb = (cs_sandbox *)ud;
    sb->budget = instructions / CS_HOOK_STEP + 1;
    sb->budget_exhausted = 0;
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
