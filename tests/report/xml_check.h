/*
 * xml_check.h — a small well-formedness check for the SVG the plot writes,
 * so the test does not depend on xmllint being installed: tags nest and
 * close in order, attributes are quoted, and the root element is named.
 */
#ifndef XML_CHECK_H
#define XML_CHECK_H

#include <stddef.h>

/* Returns 0 when `text` is one well-formed element named `root` (after an
 * optional XML declaration, comments and a DOCTYPE), else -1 with the
 * reason in `why`. Counts the elements named `count_name` in *count. */
int xml_check(const char *text, const char *root, const char *count_name, size_t *count,
              char *why, size_t why_size);

#endif
