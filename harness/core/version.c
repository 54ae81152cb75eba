#include "version.h"

const char rb_version[] = RB_VERSION;
const char rb_commit[] = RB_COMMIT;
