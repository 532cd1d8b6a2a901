/* server/main.c: virtmux-server, the process a virtmux client starts. */
#include "server/server.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Names and box drawing need UTF-8 even under LANG=C (e.g. a bare ssh). */
    if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    return server_main(argc, argv);
}
