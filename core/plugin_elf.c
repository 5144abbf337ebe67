/*
 * Whether a file looks like an energymon plugin, decided from its ELF
 * dynamic symbol table without loading it: dlopen() runs a library's
 * constructors, so a stray .so in a plugin directory (or any file named
 * like one) must be turned away before that, not after.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A defined, exported function named ENERGY_PLUGIN_ENTRY_SYMBOL. */
static bool is_entry(Elf *elf, const GElf_Shdr *sh, const GElf_Sym *sym)
{
	if (sym->st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return false;
	int bind = GELF_ST_BIND(sym->st_info);
	if (bind != STB_GLOBAL && bind != STB_WEAK)
		return false;
	if (GELF_ST_VISIBILITY(sym->st_other) != STV_DEFAULT && GELF_ST_VISIBILITY(sym->st_other) != STV_PROTECTED)
		return false;
	const char *name = elf_strptr(elf, sh->sh_link, sym->st_name);
	return name && strcmp(name, ENERGY_PLUGIN_ENTRY_SYMBOL) == 0;
}

static bool exports_entry(Elf *elf)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t count = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; data && i < count; i++) {
			GElf_Sym sym;
			if (gelf_getsym(data, (int)i, &sym) && is_entry(elf, &sh, &sym))
				return true;
		}
	}
	return false;
}

int em_plugin_elf_check(const char *path, struct em_error *err)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return em_fail(err, -ENOSYS, "%s: cannot check the file before loading it: libelf: %s", path,
		               elf_errmsg(-1));
	/* O_NONBLOCK: a FIFO put in the file's place must not hang us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return em_fail(err, -errno, "%s: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	Elf *elf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = em_fail(err, -ENOEXEC, "%s: not an energymon plugin: not a regular file", path);
		goto out;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		rc = em_fail(err, -ENOEXEC, "%s: not an energymon plugin: not an ELF file; accepted: a shared object "
		             "that exports %s", path, ENERGY_PLUGIN_ENTRY_SYMBOL);
		goto out;
	}
	if (eh.e_type != ET_DYN) {
		rc = em_fail(err, -ENOEXEC, "%s: not an energymon plugin: ELF type %u is not a shared object; accepted: "
		             "a shared object that exports %s", path, (unsigned)eh.e_type, ENERGY_PLUGIN_ENTRY_SYMBOL);
		goto out;
	}
	if (!exports_entry(elf))
		rc = em_fail(err, -ENOEXEC, "%s: not an energymon plugin: no symbol %s exported as a function in its "
		             "dynamic symbol table (checked before loading, so none of its code ran)", path,
		             ENERGY_PLUGIN_ENTRY_SYMBOL);
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}
