#include "profile_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int profile_file_init(struct profile_file *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	if (strlen(path) >= sizeof(p->path))
		return -ENAMETOOLONG;
	strcpy(p->path, path);
	return 0;
}

static int same_version(const struct profile_file *p, const struct stat *st)
{
	return p->n > 0 && p->dev == st->st_dev && p->ino == st->st_ino &&
	       p->size == st->st_size &&
	       p->mtime.tv_sec == st->st_mtim.tv_sec &&
	       p->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static int push_point(double **t, double **w, size_t *n, size_t *cap,
		      double tv, double wv)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		double *nt = realloc(*t, ncap * sizeof(**t));
		if (!nt)
			return -ENOMEM;
		*t = nt;
		double *nw = realloc(*w, ncap * sizeof(**w));
		if (!nw)
			return -ENOMEM;
		*w = nw;
		*cap = ncap;
	}
	(*t)[*n] = tv;
	(*w)[*n] = wv;
	(*n)++;
	return 0;
}

/* Parse the whole stream into fresh arrays; on success they replace p's. */
static int parse(struct profile_file *p, FILE *f, char *why, size_t why_len)
{
	double *t = NULL, *w = NULL;
	size_t n = 0, cap = 0, lineno = 0;
	char line[256];
	int rc = 0;

	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;
		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\n' || *s == '\0')
			continue;
		double tv = strtod(s, &end);
		double wv = end > s ? strtod(end, &s) : 0.0;
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (s == end || (*s != '\n' && *s != '\0')) {
			snprintf(why, why_len, "%s:%zu: expected '<unix_time> <watts>'",
				 p->path, lineno);
			rc = -EINVAL;
			goto out;
		}
		if (n > 0 && tv < t[n - 1]) {
			snprintf(why, why_len, "%s:%zu: time goes backwards",
				 p->path, lineno);
			rc = -EINVAL;
			goto out;
		}
		rc = push_point(&t, &w, &n, &cap, tv, wv);
		if (rc) {
			snprintf(why, why_len, "%s: out of memory", p->path);
			goto out;
		}
	}
	if (n == 0) {
		snprintf(why, why_len, "%s: no points", p->path);
		rc = -EINVAL;
		goto out;
	}
	free(p->t);
	free(p->w);
	p->t = t;
	p->w = w;
	p->n = n;
	return 0;
out:
	free(t);
	free(w);
	return rc;
}

int profile_file_refresh(struct profile_file *p, char *why, size_t why_len)
{
	struct stat st;
	FILE *f;
	int rc;

	/* stat then fstat of the opened file: the identity recorded must be
	 * that of the bytes parsed, even if a rename lands in between. */
	if (stat(p->path, &st) == 0 && same_version(p, &st))
		return 0;
	f = fopen(p->path, "re");
	if (!f) {
		rc = -errno;
		snprintf(why, why_len, "cannot open profile %s: %s", p->path,
			 strerror(-rc));
		return rc;
	}
	if (fstat(fileno(f), &st) != 0) {
		rc = -errno;
		snprintf(why, why_len, "cannot stat profile %s: %s", p->path,
			 strerror(-rc));
		fclose(f);
		return rc;
	}
	rc = parse(p, f, why, why_len);
	fclose(f);
	if (rc)
		return rc;
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->size = st.st_size;
	p->mtime = st.st_mtim;
	p->generation++;
	return 0;
}

void profile_file_release(struct profile_file *p)
{
	free(p->t);
	free(p->w);
	p->t = p->w = NULL;
	p->n = 0;
}
