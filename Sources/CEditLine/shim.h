// Non-variadic wrappers over libedit's native <histedit.h> API, which Swift cannot call directly.
// libedit is opened when the line editor starts (dlopen), not linked: the one-shot and script
// modes never use it, and loading it with its own libraries (libtinfo, libbsd, libmd) at every
// start cost a tenth of `callscope -c help`.
#ifndef CALLSCOPE_CEDITLINE_SHIM_H
#define CALLSCOPE_CEDITLINE_SHIM_H
#include <dlfcn.h>
#include <stdio.h>
#include <wchar.h>
#include <histedit.h>

/// The libedit functions the editor calls, found in the library once it is opened.
typedef struct {
    EditLine *(*el_init)(const char *, FILE *, FILE *, FILE *);
    void (*el_end)(EditLine *);
    const char *(*el_gets)(EditLine *, int *);
    int (*el_wgetc)(EditLine *, wchar_t *);
    int (*el_insertstr)(EditLine *, const char *);
    int (*el_winsertstr)(EditLine *, const wchar_t *);
    void (*el_deletestr)(EditLine *, int);
    const LineInfo *(*el_line)(EditLine *);
    int (*el_source)(EditLine *, const char *);
    int (*el_set)(EditLine *, int, ...);
    int (*el_get)(EditLine *, int, ...);
    void (*el_resize)(EditLine *);
    History *(*history_init)(void);
    void (*history_end)(History *);
    int (*history)(History *, HistEvent *, int, ...);
} cs_editline_api;

/// The table, filled by `cs_editline_load` (a static inside a function: the header has no .c file).
static inline cs_editline_api *cs_el_table(void) {
    static cs_editline_api api;
    return &api;
}
#define cs_el_api (*cs_el_table())

/// Opens libedit and finds its functions (once; from the thread that starts the editor).
/// NULL when it worked, otherwise why not.
static inline const char *cs_editline_load(void) {
    static int loaded = 0;
    if (loaded) return NULL;
    void *lib = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libedit.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return dlerror();
#define CS_EL_FIND(name) if (!(*(void **)&cs_el_api.name = dlsym(lib, #name))) return "libedit has no " #name;
    CS_EL_FIND(el_init) CS_EL_FIND(el_end) CS_EL_FIND(el_gets) CS_EL_FIND(el_wgetc) CS_EL_FIND(el_insertstr)
    CS_EL_FIND(el_winsertstr) CS_EL_FIND(el_deletestr) CS_EL_FIND(el_line) CS_EL_FIND(el_source) CS_EL_FIND(el_set)
    CS_EL_FIND(el_get) CS_EL_FIND(el_resize) CS_EL_FIND(history_init) CS_EL_FIND(history_end) CS_EL_FIND(history)
#undef CS_EL_FIND
    loaded = 1;
    return NULL;
}

static inline EditLine *cs_el_init(const char *prog, FILE *fin, FILE *fout, FILE *ferr) { return cs_el_api.el_init(prog, fin, fout, ferr); }
static inline void cs_el_end(EditLine *el) { cs_el_api.el_end(el); }
static inline const char *cs_el_gets(EditLine *el, int *count) { return cs_el_api.el_gets(el, count); }
static inline int cs_el_wgetc(EditLine *el, wchar_t *ch) { return cs_el_api.el_wgetc(el, ch); }
static inline int cs_el_insertstr(EditLine *el, const char *s) { return cs_el_api.el_insertstr(el, s); }
static inline int cs_el_winsertstr(EditLine *el, const wchar_t *s) { return cs_el_api.el_winsertstr(el, s); }
static inline void cs_el_deletestr(EditLine *el, int n) { cs_el_api.el_deletestr(el, n); }
static inline const LineInfo *cs_el_line(EditLine *el) { return cs_el_api.el_line(el); }
static inline int cs_el_source(EditLine *el, const char *file) { return cs_el_api.el_source(el, file); }
static inline History *cs_history_init(void) { return cs_el_api.history_init(); }
static inline void cs_history_end(History *h) { cs_el_api.history_end(h); }

typedef char *(*cs_el_prompt_fn)(EditLine *);
typedef unsigned char (*cs_el_func_fn)(EditLine *, int);
typedef int (*cs_el_getc_fn)(EditLine *, wchar_t *);

static inline int cs_el_set_prompt_esc(EditLine *el, cs_el_prompt_fn fn, char esc) {
    return cs_el_api.el_set(el, EL_PROMPT_ESC, fn, esc);
}
static inline int cs_el_set_editor(EditLine *el, const char *mode) { return cs_el_api.el_set(el, EL_EDITOR, mode); }
static inline int cs_el_set_signal(EditLine *el, int on) { return cs_el_api.el_set(el, EL_SIGNAL, on); }
static inline int cs_el_set_hist(EditLine *el, History *h) { return cs_el_api.el_set(el, EL_HIST, cs_el_api.history, h); }
static inline int cs_el_add_fn(EditLine *el, const char *name, const char *help, cs_el_func_fn fn) {
    return cs_el_api.el_set(el, EL_ADDFN, name, help, fn);
}
static inline int cs_el_bind(EditLine *el, const char *keys, const char *fn) {
    return cs_el_api.el_set(el, EL_BIND, keys, fn, NULL);
}
static inline int cs_el_set_clientdata(EditLine *el, void *data) { return cs_el_api.el_set(el, EL_CLIENTDATA, data); }
static inline void *cs_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    cs_el_api.el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int cs_el_set_getcfn(EditLine *el, cs_el_getc_fn fn) { return cs_el_api.el_set(el, EL_GETCFN, fn); }
/// Changes one terminal flag of the editing mode, e.g. ("-d", "-icrnl").
static inline int cs_el_setty(EditLine *el, const char *mode, const char *flag) {
    return cs_el_api.el_set(el, EL_SETTY, mode, flag, NULL);
}
static inline int cs_el_refresh(EditLine *el) { return cs_el_api.el_set(el, EL_REFRESH); }
static inline int cs_el_resize(EditLine *el) { return cs_el_api.el_resize(el), 0; }

static inline int cs_history_setsize(History *h, int n) { HistEvent ev; return cs_el_api.history(h, &ev, H_SETSIZE, n); }
static inline int cs_history_setunique(History *h, int on) { HistEvent ev; return cs_el_api.history(h, &ev, H_SETUNIQUE, on); }
static inline int cs_history_enter(History *h, const char *line) { HistEvent ev; return cs_el_api.history(h, &ev, H_ENTER, line); }
static inline int cs_history_clear(History *h) { HistEvent ev; return cs_el_api.history(h, &ev, H_CLEAR); }

// Constants that are enum/#define values in histedit.h, re-exported so Swift sees stable names.
static const unsigned char CS_CC_NORM = CC_NORM;
static const unsigned char CS_CC_REFRESH = CC_REFRESH;
static const unsigned char CS_CC_REDISPLAY = CC_REDISPLAY;
static const unsigned char CS_CC_ERROR = CC_ERROR;
static const unsigned char CS_CC_NEWLINE = CC_NEWLINE;
#endif
