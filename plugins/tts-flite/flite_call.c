/* dubhost_flite_text_to_wave (flite_call.h): flite_text_to_wave inside a setjmp that flite's
 * cst_error() jumps back to, restoring whatever jump was set before. */
#include "flite_call.h"

#include <setjmp.h>

cst_wave *dubhost_flite_text_to_wave(const char *text, cst_voice *voice) {
    jmp_buf here;
    jmp_buf *previous = cst_errjmp;
    cst_wave *volatile wave = NULL;
    cst_errjmp = &here;
    if (setjmp(here) == 0) wave = flite_text_to_wave(text, voice);
    cst_errjmp = previous;
    return wave;
}
