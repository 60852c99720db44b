// Lua macros as functions Swift can call, a sandboxed state with a memory cap and an instruction
// budget, and the trampoline through which host functions written in Swift raise Lua errors
// without ever unwinding a Swift frame.
#ifndef CALLSCOPE_CS_LUA_H
#define CALLSCOPE_CS_LUA_H
#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static inline void cs_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void cs_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline int cs_lua_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline int cs_lua_istable(lua_State *L, int i) { return lua_istable(L, i); }
static inline int cs_lua_isfunction(lua_State *L, int i) { return lua_isfunction(L, i); }
static inline const char *cs_lua_tostring(lua_State *L, int i, size_t *len) { return lua_tolstring(L, i, len); }
static inline int cs_lua_pcall(lua_State *L, int nargs, int nresults) { return lua_pcall(L, nargs, nresults, 0); }
static inline int cs_lua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int cs_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void cs_lua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int cs_lua_multret(void) { return LUA_MULTRET; }
/// The per-state pointer slot (LUA_EXTRASPACE) where the host keeps its context.
static inline void **cs_lua_extraspace(lua_State *L) { return (void **)lua_getextraspace(L); }
static inline lua_Integer cs_lua_tointeger(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
static inline lua_Number cs_lua_tonumber(lua_State *L, int i, int *isnum) { return lua_tonumberx(L, i, isnum); }

/// Per-state limits; the state's allocator user data points at it.
typedef struct cs_sandbox {
    size_t used;           // bytes allocated now
    size_t limit;          // cap on `used` (0 = none)
    long budget;           // instructions left in the current call (in units of CS_HOOK_STEP)
    int budget_exhausted;  // set when the hook stopped a call
} cs_sandbox;

#define CS_HOOK_STEP 1000

/// What a host function hands back to the trampoline: at most one string result, or an error.
/// Buffers are malloc'd by the host function and freed by the trampoline. Host functions only read
/// their arguments (with calls that neither allocate nor raise); the trampoline pushes the result
/// and raises errors, in C, after the host function has returned.
typedef struct cs_host_result {
    char *value;      // result bytes, or NULL for no result
    size_t length;
    char *error;      // error message, or NULL
} cs_host_result;

typedef void (*cs_host_fn)(lua_State *L, cs_host_result *result);

/// A new state whose allocations are capped by `sb->limit`, with only safe libraries:
/// base (without dofile, loadfile, require; the host's prelude removes load), string (without dump), table, math, utf8,
/// and os reduced to time, date and clock. NULL if it cannot be created.
lua_State *cs_sandbox_new(cs_sandbox *sb);
/// Aborts with a message instead of jumping into undefined territory if a Lua error is ever raised
/// outside a protected call (the host lifts the memory cap while it pushes values, so it should not).
void cs_sandbox_set_panic(lua_State *L);
/// Starts the instruction budget for one call (`instructions` total).
void cs_sandbox_arm(lua_State *L, long instructions);
/// Removes the instruction hook.
void cs_sandbox_disarm(lua_State *L);
/// Pushes `fn` as a Lua function; an error it returns as -1 is raised by the trampoline.
void cs_push_host_function(lua_State *L, cs_host_fn fn);
/// Loads a text chunk (binary chunks are refused). Returns a lua status; on error the message is on top.
int cs_load_text(lua_State *L, const char *text, size_t len, const char *chunkname);
/// Calls the function below `nargs` arguments in protected mode, with a traceback-free message
/// that keeps Lua's "file:line:" prefix. Returns a lua status.
int cs_protected_call(lua_State *L, int nargs, int nresults);
#endif
