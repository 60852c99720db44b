// string.find, match, gmatch and gsub for sandboxed states: the pattern language of the Lua manual
// (§6.4.1), matched by a backtracking matcher that charges every step to the call's instruction
// budget. The standard library's matcher runs in C without the count hook, so a pattern such as
// ".-.-.-.-b" over 20 KB of text would run for hours; here it stops with "instruction budget
// exhausted" like any other endless loop, and Ctrl-C interrupts it.
#define _GNU_SOURCE
#include "cs_lua.h"
#include <ctype.h>
#include <string.h>

#define CAPTURES_MAX 32
#define DEPTH_MAX 200
#define CAP_OPEN (-1)
#define CAP_POSITION (-2)
#define ESCAPE '%'

typedef struct matcher {
    const char *subject, *subject_end, *pattern_end;
    lua_State *L;
    cs_sandbox *sb;
    long countdown;  // steps left before the next unit is charged to the budget
    int depth;
    int level;       // captures opened so far
    struct { const char *start; ptrdiff_t length; } capture[CAPTURES_MAX];
} matcher;

static const char *match_here(matcher *m, const char *s, const char *p);

/// One step of matching: every CS_HOOK_STEP steps cost one unit of the budget (as many VM
/// instructions would), and the stop conditions of the count hook apply.
static void step(matcher *m) {
    if (--m->countdown > 0) return;
    m->countdown = CS_HOOK_STEP;
    cs_sandbox_charge(m->L, m->sb);
}

static const char *item_end(matcher *m, const char *p) {
    if (*p++ == ESCAPE) {
        if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (p[-1] == '[') {
        if (p < m->pattern_end && *p == '^') p++;
        do {  // the first character of a set may be ']'
            if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing ']')");
            if (*p++ == ESCAPE && p < m->pattern_end) p++;
        } while (p >= m->pattern_end || *p != ']');
        return p + 1;
    }
    return p;
}

static int class_matches(int c, int cl) {
    int hit;
    switch (tolower(cl)) {
        case 'a': hit = isalpha(c); break;
        case 'c': hit = iscntrl(c); break;
        case 'd': hit = isdigit(c); break;
        case 'g': hit = isgraph(c); break;
        case 'l': hit = islower(c); break;
        case 'p': hit = ispunct(c); break;
        case 's': hit = isspace(c); break;
        case 'u': hit = isupper(c); break;
        case 'w': hit = isalnum(c); break;
        case 'x': hit = isxdigit(c); break;
        default: return cl == c;
    }
    if (isupper(cl)) hit = !hit;
    return hit != 0;
}

/// `p` is at '[', `last` at the closing ']'.
static int set_matches(int c, const char *p, const char *last) {
    int negated = 0;
    if (*++p == '^') { negated = 1; p++; }
    while (p < last) {
        if (*p == ESCAPE) {
            p++;
            if (class_matches(c, (unsigned char)*p)) return !negated;
            p++;
        } else if (p[1] == '-' && p + 2 < last) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return !negated;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return !negated;
            p++;
        }
    }
    return negated;
}

static int single_matches(matcher *m, const char *s, const char *p, const char *ep) {
    if (s >= m->subject_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
        case '.': return 1;
        case ESCAPE: return class_matches(c, (unsigned char)p[1]);
        case '[': return set_matches(c, p, ep - 1);
        default: return (unsigned char)*p == c;
    }
}

static const char *match_balance(matcher *m, const char *s, const char *p) {
    if (p + 1 >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= m->subject_end || *s != *p) return NULL;
    int open = *p, close = p[1], nesting = 1;
    while (++s < m->subject_end) {
        step(m);
        if (*s == close) { if (--nesting == 0) return s + 1; }
        else if (*s == open) nesting++;
    }
    return NULL;
}

static const char *expand_greedy(matcher *m, const char *s, const char *p, const char *ep) {
    ptrdiff_t count = 0;
    while (single_matches(m, s + count, p, ep)) { count++; step(m); }
    for (; count >= 0; count--) {
        const char *end = match_here(m, s + count, ep + 1);
        if (end) return end;
    }
    return NULL;
}

static const char *expand_lazy(matcher *m, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *end = match_here(m, s, ep + 1);
        if (end) return end;
        if (!single_matches(m, s, p, ep)) return NULL;
        s++;
    }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t what) {
    if (m->level >= CAPTURES_MAX) luaL_error(m->L, "too many captures");
    m->capture[m->level].start = s;
    m->capture[m->level].length = what;
    m->level++;
    const char *end = match_here(m, s, p);
    if (!end) m->level--;
    return end;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
    int open = -1;
    for (int i = m->level - 1; i >= 0; i--) if (m->capture[i].length == CAP_OPEN) { open = i; break; }
    if (open < 0) luaL_error(m->L, "invalid pattern capture");
    m->capture[open].length = s - m->capture[open].start;
    const char *end = match_here(m, s, p);
    if (!end) m->capture[open].length = CAP_OPEN;
    return end;
}

static int capture_index(matcher *m, int digit) {
    int i = digit - '1';
    if (i < 0 || i >= m->level || m->capture[i].length == CAP_OPEN)
        return luaL_error(m->L, "invalid capture index %%%d", i + 1);
    return i;
}

static const char *match_here(matcher *m, const char *s, const char *p) {
    if (++m->depth > DEPTH_MAX) luaL_error(m->L, "pattern too complex");
    for (;;) {
        step(m);
        if (p >= m->pattern_end) break;
        if (*p == '(') {
            s = (p + 1 < m->pattern_end && p[1] == ')') ? open_capture(m, s, p + 2, CAP_POSITION)
                                                       : open_capture(m, s, p + 1, CAP_OPEN);
            break;
        }
        if (*p == ')') { s = close_capture(m, s, p + 1); break; }
        if (*p == '$' && p + 1 == m->pattern_end) { if (s != m->subject_end) s = NULL; break; }
        if (*p == ESCAPE && p + 1 < m->pattern_end) {
            if (p[1] == 'b') {
                s = match_balance(m, s, p + 2);
                if (!s) break;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                p += 2;
                if (p >= m->pattern_end || *p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
                const char *ep = item_end(m, p);
                int before = (s == m->subject) ? 0 : (unsigned char)s[-1];
                int here = (s < m->subject_end) ? (unsigned char)*s : 0;
                if (set_matches(before, p, ep - 1) || !set_matches(here, p, ep - 1)) { s = NULL; break; }
                p = ep;
                continue;
            }
            if (isdigit((unsigned char)p[1])) {
                int i = capture_index(m, p[1]);
                size_t length = (size_t)m->capture[i].length;
                if ((size_t)(m->subject_end - s) >= length && memcmp(m->capture[i].start, s, length) == 0) {
                    s += length;
                    p += 2;
                    continue;
                }
                s = NULL;
                break;
            }
        }
        const char *ep = item_end(m, p);
        char quantifier = ep < m->pattern_end ? *ep : '\0';
        if (!single_matches(m, s, p, ep)) {
            if (quantifier == '*' || quantifier == '?' || quantifier == '-') { p = ep + 1; continue; }
            s = NULL;
            break;
        }
        if (quantifier == '?') {
            const char *end = match_here(m, s + 1, ep + 1);
            if (end) { s = end; break; }
            p = ep + 1;
            continue;
        }
        if (quantifier == '+') { s = expand_greedy(m, s + 1, p, ep); break; }
        if (quantifier == '*') { s = expand_greedy(m, s, p, ep); break; }
        if (quantifier == '-') { s = expand_lazy(m, s, p, ep); break; }
        s++;
        p = ep;
    }
    m->depth--;
    return s;
}

static void matcher_init(matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    m->L = L;
    m->sb = (cs_sandbox *)ud;
    m->subject = s;
    m->subject_end = s + ls;
    m->pattern_end = p + lp;
    m->countdown = CS_HOOK_STEP;
    m->depth = 0;
    m->level = 0;
}

static void push_capture(matcher *m, int i, const char *s, const char *e) {
    if (i >= m->level) {
        if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));  // no captures: the whole match
        return;
    }
    ptrdiff_t length = m->capture[i].length;
    if (length == CAP_OPEN) luaL_error(m->L, "unfinished capture");
    if (length == CAP_POSITION) lua_pushinteger(m->L, (m->capture[i].start - m->subject) + 1);
    else lua_pushlstring(m->L, m->capture[i].start, (size_t)length);
}

/// Pushes the captures (or the whole match when there are none and `s` is given); returns how many.
static int push_captures(matcher *m, const char *s, const char *e) {
    int count = (m->level == 0 && s) ? 1 : m->level;
    luaL_checkstack(m->L, count, "too many captures");
    for (int i = 0; i < count; i++) push_capture(m, i, s, e);
    return count;
}

/// A 1-based, possibly negative position into a string of `length`, clamped to [1, length + 1].
static size_t start_position(lua_Integer position, size_t length) {
    if (position > 0) return (size_t)position > length + 1 ? length + 1 : (size_t)position;
    if (position == 0) return 1;
    if (position < -(lua_Integer)length) return 1;
    return length + (size_t)position + 1;
}

static int has_specials(const char *p, size_t lp) {
    for (size_t i = 0; i < lp; i++) if (strchr("^$*+?.([%-", p[i]) && p[i]) return 1;
    return 0;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    lua_Integer requested = luaL_optinteger(L, 3, 1);
    if (requested > (lua_Integer)ls + 1 && requested > 0) { lua_pushnil(L); return 1; }
    size_t init = start_position(requested, ls) - 1;
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        const char *hit = lp == 0 ? s + init : memmem(s + init, ls - init, p, lp);
        if (!hit) { lua_pushnil(L); return 1; }
        lua_pushinteger(L, (hit - s) + 1);
        lua_pushinteger(L, (hit - s) + (lua_Integer)lp);
        return 2;
    }
    matcher m;
    int anchored = lp > 0 && *p == '^';
    if (anchored) { p++; lp--; }
    matcher_init(&m, L, s, ls, p, lp);
    const char *start = s + init;
    do {
        m.level = 0;
        m.depth = 0;
        const char *end = match_here(&m, start, p);
        if (end) {
            if (!find) return push_captures(&m, start, end);
            lua_pushinteger(L, (start - s) + 1);
            lua_pushinteger(L, end - s);
            return push_captures(&m, NULL, NULL) + 2;
        }
    } while (start++ < m.subject_end && !anchored);
    lua_pushnil(L);
    return 1;
}

static int pattern_find(lua_State *L) { return find_or_match(L, 1); }
static int pattern_match(lua_State *L) { return find_or_match(L, 0); }

/// gmatch's iterator: upvalues are the subject, the pattern, the next position and the end of the
/// last match (so an empty match right after a match is skipped, as in Lua 5.4).
static int gmatch_next(lua_State *L) {
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    lua_Integer position = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer last = lua_tointeger(L, lua_upvalueindex(4));
    matcher m;
    matcher_init(&m, L, s, ls, p, lp);
    for (const char *start = s + position; start <= m.subject_end; start++) {
        m.level = 0;
        m.depth = 0;
        const char *end = match_here(&m, start, p);
        if (end && (last < 0 || end - s != last)) {
            lua_pushinteger(L, end - s);
            lua_replace(L, lua_upvalueindex(3));
            lua_pushinteger(L, end - s);
            lua_replace(L, lua_upvalueindex(4));
            return push_captures(&m, start, end);
        }
    }
    return 0;
}

static int pattern_gmatch(lua_State *L) {
    size_t ls;
    luaL_checklstring(L, 1, &ls);
    luaL_checkstring(L, 2);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2);
    lua_pushinteger(L, (lua_Integer)init);
    lua_pushinteger(L, -1);
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

/// Appends the replacement for the match [s, e) to `b`.
static void add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = m->L;
    if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
        size_t length;
        const char *r = lua_tolstring(L, 3, &length);
        const char *r_end = r + length;
        for (; r < r_end; r++) {
            if (*r != ESCAPE) { luaL_addchar(b, *r); continue; }
            r++;
            if (r >= r_end) luaL_error(L, "invalid use of '%%' in replacement string");
            if (*r == ESCAPE) { luaL_addchar(b, *r); continue; }
            if (!isdigit((unsigned char)*r)) luaL_error(L, "invalid use of '%%' in replacement string");
            if (*r == '0') luaL_addlstring(b, s, (size_t)(e - s));
            else {
                push_capture(m, *r - '1', s, e);
                luaL_tolstring(L, -1, NULL);
                lua_remove(L, -2);
                luaL_addvalue(b);
            }
        }
        return;
    }
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int count = push_captures(m, s, e);
        lua_call(L, count, 1);
    } else {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    }
    if (!lua_toboolean(L, -1)) {  // nil or false: keep the original text
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(b);
    }
}

static int pattern_gsub(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer limit = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE,
                     3, "string/function/table");
    int anchored = lp > 0 && *p == '^';
    if (anchored) { p++; lp--; }
    matcher m;
    matcher_init(&m, L, s, ls, p, lp);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *at = s, *last = NULL;
    lua_Integer replaced = 0;
    while (replaced < limit) {
        m.level = 0;
        m.depth = 0;
        const char *end = match_here(&m, at, p);
        if (end && end != last) {
            replaced++;
            add_replacement(&m, &b, at, end, kind);
            at = last = end;
        } else if (at < m.subject_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchored) break;
    }
    luaL_addlstring(&b, at, (size_t)(m.subject_end - at));
    luaL_pushresult(&b);
    lua_pushinteger(L, replaced);
    return 2;
}

void cs_sandbox_install_patterns(lua_State *L) {
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushcfunction(L, pattern_find);
    lua_setfield(L, -2, "find");
    lua_pushcfunction(L, pattern_match);
    lua_setfield(L, -2, "match");
    lua_pushcfunction(L, pattern_gmatch);
    lua_setfield(L, -2, "gmatch");
    lua_pushcfunction(L, pattern_gsub);
    lua_setfield(L, -2, "gsub");
    lua_pop(L, 1);
}
