/* Compiled as strict C11 by the test build: dubhost/plugin.h must stand alone in C. */
#include <dubhost/plugin.h>

typedef char descriptor_v1_fits[DUBHOST_DESCRIPTOR_V1_SIZE <= sizeof(dubhost_plugin_descriptor) ? 1 : -1];
typedef char backend_v1_fits[DUBHOST_BACKEND_V1_SIZE <= sizeof(dubhost_backend) ? 1 : -1];

const dubhost_plugin_descriptor *dubhost_header_check(void);
const dubhost_plugin_descriptor *dubhost_header_check(void) { return 0; }
