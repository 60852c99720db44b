// Non-variadic wrappers over libedit's native <histedit.h> API, which Swift cannot call directly.
#ifndef CALLSCOPE_CEDITLINE_SHIM_H
#define CALLSCOPE_CEDITLINE_SHIM_H
#include <stdio.h>
#include <wchar.h>
#include <histedit.h>

typedef char *(*cs_el_prompt_fn)(EditLine *);
typedef unsigned char (*cs_el_func_fn)(EditLine *, int);
typedef int (*cs_el_getc_fn)(EditLine *, wchar_t *);

static inline int cs_el_set_prompt_esc(EditLine *el, cs_el_prompt_fn fn, char esc) {
    return el_set(el, EL_PROMPT_ESC, fn, esc);
}
static inline int cs_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int cs_el_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int cs_el_set_hist(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int cs_el_add_fn(EditLine *el, const char *name, const char *help, cs_el_func_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int cs_el_bind(EditLine *el, const char *keys, const char *fn) {
    return el_set(el, EL_BIND, keys, fn, NULL);
}
static inline int cs_el_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *cs_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int cs_el_set_getcfn(EditLine *el, cs_el_getc_fn fn) { return el_set(el, EL_GETCFN, fn); }
/// Changes one terminal flag of the editing mode, e.g. ("-d", "-icrnl").
static inline int cs_el_setty(EditLine *el, const char *mode, const char *flag) {
    return el_set(el, EL_SETTY, mode, flag, NULL);
}
static inline int cs_el_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }
static inline int cs_el_resize(EditLine *el) { return el_resize(el), 0; }

static inline int cs_history_setsize(History *h, int n) { HistEvent ev; return history(h, &ev, H_SETSIZE, n); }
static inline int cs_history_setunique(History *h, int on) { HistEvent ev; return history(h, &ev, H_SETUNIQUE, on); }
static inline int cs_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int cs_history_clear(History *h) { HistEvent ev; return history(h, &ev, H_CLEAR); }

// Constants that are enum/#define values in histedit.h, re-exported so Swift sees stable names.
static const unsigned char CS_CC_NORM = CC_NORM;
static const unsigned char CS_CC_REFRESH = CC_REFRESH;
static const unsigned char CS_CC_REDISPLAY = CC_REDISPLAY;
static const unsigned char CS_CC_ERROR = CC_ERROR;
static const unsigned char CS_CC_NEWLINE = CC_NEWLINE;
#endif
