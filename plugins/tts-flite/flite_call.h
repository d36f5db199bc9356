/* flite's synthesis with its error exit caught: flite reports an internal error by longjmp to
 * cst_errjmp when one is set and by exit() otherwise, which would end the host. C, because
 * setjmp/longjmp must not cross C++ frames. Used by flite_engine.cpp. */
#ifndef DUBHOST_FLITE_CALL_H
#define DUBHOST_FLITE_CALL_H

#include <flite/flite.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The wave for `text`, or NULL when flite failed (its message went to stderr). Not thread-safe:
 * flite's error jump is a global, so calls are serialised by the caller. */
cst_wave *dubhost_flite_text_to_wave(const char *text, cst_voice *voice);

#ifdef __cplusplus
}
#endif

#endif
