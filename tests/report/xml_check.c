/* xml_check.c — checking that a document's tags are well formed. */
#include "xml_check.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 64, MAX_NAME = 64 };

static int fail(char *why, size_t size, const char *reason, size_t offset)
{
	snprintf(why, size, "%s at byte %zu", reason, offset);
	return -1;
}

/* Copies the element name at `p` into `name`; returns its length. */
static size_t read_name(const char *p, char name[MAX_NAME])
{
	size_t n = 0;
	while (p[n] && (isalnum((unsigned char)p[n]) || strchr(":_-.", p[n])) && n + 1 < MAX_NAME) {
		name[n] = p[n];
		n++;
	}
	name[n] = '\0';
	return n;
}

/* Skips attributes up to '>' or "/>", checking every value is quoted. */
static const char *skip_attributes(const char *p, int *self_closing)
{
	while (*p && *p != '>') {
		if (*p == '/' && p[1] == '>') {
			*self_closing = 1;
			return p + 2;
		}
		if (*p == '=') {
			p++;
			char quote = *p;
			if (quote != '"' && quote != '\'')
				return NULL;
			p = strchr(p + 1, quote);
			if (p == NULL)
				return NULL;
		}
		p++;
	}
	return *p == '>' ? p + 1 : NULL;
}

int xml_check(const char *text, const char *root, const char *count_name, size_t *count,
              char *why, size_t why_size)
{
	char stack[MAX_DEPTH][MAX_NAME];
	int depth = 0, roots = 0;
	*count = 0;
	const char *p = text;
	while ((p = strchr(p, '<')) != NULL) {
		size_t at = (size_t)(p - text);
		const char *skip_to = strncmp(p, "<?", 2) == 0 ? "?>" : strncmp(p, "<!--", 4) == 0 ? "-->"
		                    : strncmp(p, "<![CDATA[", 9) == 0 ? "]]>" : strncmp(p, "<!", 2) == 0 ? ">" : NULL;
		if (skip_to != NULL) {
			p = strstr(p, skip_to);
			if (p == NULL)
				return fail(why, why_size, "unterminated markup", at);
			p += strlen(skip_to);
			continue;
		}
		char name[MAX_NAME];
		if (p[1] == '/') {
			size_t n = read_name(p + 2, name);
			if (n == 0 || depth == 0 || strcmp(stack[depth - 1], name) != 0)
				return fail(why, why_size, "closing tag does not match", at);
			depth--;
			p = strchr(p, '>');
			if (p == NULL)
				return fail(why, why_size, "unterminated closing tag", at);
			p++;
			continue;
		}
		size_t n = read_name(p + 1, name);
		if (n == 0)
			return fail(why, why_size, "'<' without an element name", at);
		if (depth == 0) {
			if (roots++ > 0)
				return fail(why, why_size, "second root element", at);
			if (strcmp(name, root) != 0)
				return fail(why, why_size, "unexpected root element", at);
		}
		if (count_name != NULL && strcmp(name, count_name) == 0)
			(*count)++;
		int self_closing = 0;
		p = skip_attributes(p + 1 + n, &self_closing);
		if (p == NULL)
			return fail(why, why_size, "bad attributes", at);
		if (!self_closing) {
			if (depth == MAX_DEPTH)
				return fail(why, why_size, "nesting too deep", at);
			memcpy(stack[depth++], name, MAX_NAME);
		}
	}
	if (roots == 0)
		return fail(why, why_size, "no root element", 0);
	if (depth != 0)
		return fail(why, why_size, "unclosed element", strlen(text));
	return 0;
}
