/*
 * sgx/elf.c -- the one ELF reader: header, program headers, sections.  The
 * byte layout and what is checked are drawn in sgx/elf_internal.h; every
 * field is read through the bounds-checked cursor of src/core.
 */
#include "core/internal.h"
#include "sgx/elf_internal.h"
#include "sgxra/measure.h"

#define EI_CLASS_64 2
#define EI_DATA_LE 1
#define EV_CURRENT 1
#define SHT_NOBITS 8
#define SHN_XINDEX 0xffff
/* p_flags bits the gABI defines: PF_X, PF_W, PF_R, then PF_MASKOS
 * 0x0ff00000 and PF_MASKPROC 0xf0000000; bits 3..19 are undefined. */
#define PF_DEFINED                                                             \
  (SGXRA__ELF_PF_X | SGXRA__ELF_PF_W | SGXRA__ELF_PF_R | 0xfff00000u)

#define PAGE ((uint64_t)SGXRA_PAGE_SIZE)

/* The `size` bytes at file offset `off`, through a cursor over the whole
 * file, so the message of a short file names the offset. */
static sgxra_err take_at(sgxra_ctx *cx, const sgxra__elf *e, uint64_t off,
                         size_t size, const char *what, const uint8_t **out) {
  sgxra__cur c;
  sgxra__cur_init(&c, e->p, e->n, "ELF", SGXRA_E_ELF_FORMAT);
  if (off > e->n)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF truncated: %s at offset 0x%llx is past the end "
                       "of the file (0x%zx bytes)",
                       what, (unsigned long long)off, e->n);
  c.off = (size_t)off;
  return sgxra__cur_take(cx, &c, size, what, out);
}

sgxra_err sgxra__elf_open(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          sgxra__elf *out) {
  static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  sgxra__elf e;
  sgxra_err err;
  memset(out, 0, sizeof *out);
  memset(&e, 0, sizeof e);
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "ELF: input is NULL but its length is %zu", n);
  if (n < sizeof magic || memcmp(p, magic, sizeof magic) != 0)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "not an ELF file: it does not start with \\x7fELF "
                       "(7f 45 4c 46): pass the enclave's .so");

  /* The whole 64-byte header first, then its fields in order. */
  sgxra__cur c, h;
  const uint8_t *hdr, *ident;
  sgxra__cur_init(&c, p, n, "ELF", SGXRA_E_ELF_FORMAT);
  if ((err = sgxra__cur_take(cx, &c, SGXRA__ELF_HEADER_SIZE, "the ELF64 header",
                             &hdr)))
    return err;
  sgxra__cur_init(&h, hdr, SGXRA__ELF_HEADER_SIZE, "ELF header",
                  SGXRA_E_ELF_FORMAT);
  uint16_t type, machine, ehsize, phentsize;
  uint32_t version, flags;
  if ((err = sgxra__cur_take(cx, &h, 16, "e_ident", &ident)) ||
      (err = sgxra__cur_u16(cx, &h, "e_type", &type)) ||
      (err = sgxra__cur_u16(cx, &h, "e_machine", &machine)) ||
      (err = sgxra__cur_u32(cx, &h, "e_version", &version)) ||
      (err = sgxra__cur_u64(cx, &h, "e_entry", &e.entry)) ||
      (err = sgxra__cur_u64(cx, &h, "e_phoff", &e.phoff)) ||
      (err = sgxra__cur_u64(cx, &h, "e_shoff", &e.shoff)) ||
      (err = sgxra__cur_u32(cx, &h, "e_flags", &flags)) ||
      (err = sgxra__cur_u16(cx, &h, "e_ehsize", &ehsize)) ||
      (err = sgxra__cur_u16(cx, &h, "e_phentsize", &phentsize)) ||
      (err = sgxra__cur_u16(cx, &h, "e_phnum", &e.phnum)) ||
      (err = sgxra__cur_u16(cx, &h, "e_shentsize", &e.shentsize)) ||
      (err = sgxra__cur_u16(cx, &h, "e_shnum", &e.shnum)) ||
      (err = sgxra__cur_u16(cx, &h, "e_shstrndx", &e.shstrndx)))
    return err;
  (void)flags; /* x86-64 defines no e_flags */
  (void)ehsize;
  if (ident[4] != EI_CLASS_64)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF class %u is not ELF64 (2): SGX enclaves are "
                       "64-bit shared objects",
                       ident[4]);
  if (ident[5] != EI_DATA_LE)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF data encoding %u is not little-endian (1): x86-64 "
                       "enclaves are little-endian",
                       ident[5]);
  if (ident[6] != EV_CURRENT || version != EV_CURRENT)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF version is %u (e_ident[EI_VERSION]) and %u "
                       "(e_version), expected 1 (EV_CURRENT) in both",
                       ident[6], version);
  if (type != SGXRA__ELF_ET_DYN)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF e_type is %u, expected 3 (ET_DYN, a shared "
                       "object): an enclave is linked with -shared",
                       type);
  if (machine != SGXRA__ELF_EM_X86_64)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF e_machine is %u, expected 62 (x86-64): SGX "
                       "enclaves are x86-64 code",
                       machine);

  /* The program header table: e_phnum entries of 56 bytes, all inside the
   * file.  With no entries e_phentsize means nothing (linkers write 0). */
  if (e.phnum > 0 && phentsize != SGXRA__ELF_PHDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF e_phentsize is %u, expected %d (the ELF64 "
                       "program header size)",
                       phentsize, SGXRA__ELF_PHDR_SIZE);
  if (e.phnum > 0 &&
      (e.phoff > n || (uint64_t)e.phnum * SGXRA__ELF_PHDR_SIZE > n - e.phoff)) {
    uint64_t first = e.phoff > n ? 0 : (n - e.phoff) / SGXRA__ELF_PHDR_SIZE;
    return sgxra__fail(
        cx, SGXRA_E_ELF_FORMAT,
        "ELF truncated: program header %llu of %u at offset "
        "0x%llx runs past the end of the file (0x%zx bytes)",
        (unsigned long long)first, e.phnum,
        (unsigned long long)(e.phoff + first * SGXRA__ELF_PHDR_SIZE), n);
  }
  e.p = p;
  e.n = n;

  /* Every PT_LOAD against the file, and those that occupy memory against
   * each other. */
  uint64_t prev_end = 0;
  unsigned prev_ph = 0, nload = 0;
  for (unsigned i = 0; i < e.phnum; i++) {
    sgxra__elf_phdr s;
    if ((err = sgxra__elf_read_phdr(cx, &e, i, &s))) return err;
    if (s.type != SGXRA__ELF_PT_LOAD) continue;
    if (s.flags & ~PF_DEFINED)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: p_flags 0x%x sets bits 0x%x "
                         "the gABI leaves undefined (defined: PF_X 1, PF_W "
                         "2, PF_R 4, and the OS/processor masks 0xfff00000)",
                         i, s.flags, s.flags & ~PF_DEFINED);
    if (s.filesz > s.memsz)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: p_filesz %llu exceeds "
                         "p_memsz %llu",
                         i, (unsigned long long)s.filesz,
                         (unsigned long long)s.memsz);
    if (s.offset > n || s.filesz > n - s.offset)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: PT_LOAD file bytes "
                         "[0x%llx, +0x%llx) run past the end of the file "
                         "(0x%zx bytes)",
                         i, (unsigned long long)s.offset,
                         (unsigned long long)s.filesz, n);
    if (s.memsz > UINT64_MAX - s.vaddr)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: p_vaddr 0x%llx + p_memsz "
                         "0x%llx wraps around the address space",
                         i, (unsigned long long)s.vaddr,
                         (unsigned long long)s.memsz);
    if (s.memsz == 0) continue;
    /* The loader maps page (p_vaddr & ~4095) from file offset
     * (p_offset & ~4095): both must lie at the same place in a page. */
    if ((s.vaddr - s.offset) % PAGE != 0)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: p_vaddr %#llx and p_offset "
                         "%#llx differ in their offset within a 4096-byte "
                         "page, so the loader cannot map it (dlopen refuses "
                         "it too)",
                         i, (unsigned long long)s.vaddr,
                         (unsigned long long)s.offset);
    if (nload > 0 && s.vaddr < prev_end)
      return sgxra__fail(
          cx, SGXRA_E_ELF_FORMAT,
          "ELF program header %u: PT_LOAD segment %u starts at p_vaddr "
          "%#llx, in or below the page %#llx where segment %u (program "
          "header %u) ends at %#llx: PT_LOAD segments must be in ascending "
          "p_vaddr order and must not overlap",
          i, nload, (unsigned long long)s.vaddr,
          (unsigned long long)((prev_end - 1) / PAGE * PAGE), nload - 1,
          prev_ph, (unsigned long long)prev_end);
    prev_end = s.vaddr + s.memsz;
    prev_ph = i;
    nload++;
  }
  *out = e;
  return SGXRA_OK;
}

sgxra_err sgxra__elf_read_phdr(sgxra_ctx *cx, const sgxra__elf *e, unsigned i,
                               sgxra__elf_phdr *out) {
  sgxra__cur c;
  const uint8_t *h;
  uint64_t paddr, align;
  sgxra_err err;
  memset(out, 0, sizeof *out);
  if (i >= e->phnum)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "ELF program header %u of %u requested", i, e->phnum);
  /* sgxra__elf_open() checked that the table lies in the file. */
  if ((err = take_at(cx, e, e->phoff + (uint64_t)i * SGXRA__ELF_PHDR_SIZE,
                     SGXRA__ELF_PHDR_SIZE, "program header", &h)))
    return err;
  sgxra__cur_init(&c, h, SGXRA__ELF_PHDR_SIZE, "ELF program header",
                  SGXRA_E_ELF_FORMAT);
  if ((err = sgxra__cur_u32(cx, &c, "p_type", &out->type)) ||
      (err = sgxra__cur_u32(cx, &c, "p_flags", &out->flags)) ||
      (err = sgxra__cur_u64(cx, &c, "p_offset", &out->offset)) ||
      (err = sgxra__cur_u64(cx, &c, "p_vaddr", &out->vaddr)) ||
      (err = sgxra__cur_u64(cx, &c, "p_paddr", &paddr)) ||
      (err = sgxra__cur_u64(cx, &c, "p_filesz", &out->filesz)) ||
      (err = sgxra__cur_u64(cx, &c, "p_memsz", &out->memsz)) ||
      (err = sgxra__cur_u64(cx, &c, "p_align", &align))) {
    memset(out, 0, sizeof *out);
    return err;
  }
  return SGXRA_OK;
}

/* ---- sections ------------------------------------------------------------
 *
 *   shdr    0 sh_name u32 (offset in the name table)   4 sh_type u32
 *           8 sh_flags u64    16 sh_addr u64           24 sh_offset u64
 *          32 sh_size u64     40 sh_link u32           44 sh_info u32
 *          48 sh_addralign u64                         56 sh_entsize u64
 */

typedef struct shdr {
  uint32_t name, type, link;
  uint64_t offset, size;
} shdr;

/* Section header i of a table checked to hold it. */
static sgxra_err read_shdr(sgxra_ctx *cx, const sgxra__elf *e, uint64_t i,
                           shdr *out) {
  sgxra__cur c;
  const uint8_t *s;
  uint64_t flags, addr, align, entsize;
  uint32_t info;
  sgxra_err err;
  if ((err = take_at(cx, e, e->shoff + i * SGXRA__ELF_SHDR_SIZE,
                     SGXRA__ELF_SHDR_SIZE, "section header", &s)))
    return err;
  sgxra__cur_init(&c, s, SGXRA__ELF_SHDR_SIZE, "ELF section header",
                  SGXRA_E_ELF_FORMAT);
  if ((err = sgxra__cur_u32(cx, &c, "sh_name", &out->name)) ||
      (err = sgxra__cur_u32(cx, &c, "sh_type", &out->type)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_flags", &flags)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_addr", &addr)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_offset", &out->offset)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_size", &out->size)) ||
      (err = sgxra__cur_u32(cx, &c, "sh_link", &out->link)) ||
      (err = sgxra__cur_u32(cx, &c, "sh_info", &info)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_addralign", &align)) ||
      (err = sgxra__cur_u64(cx, &c, "sh_entsize", &entsize)))
    return err;
  return SGXRA_OK;
}

/* The bytes of a section, checked to lie inside the file. */
static sgxra_err section_bytes(sgxra_ctx *cx, size_t n, const shdr *s,
                               uint64_t index, const char *what) {
  if (s->type == SHT_NOBITS)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF %s (section %llu) has no bytes in the file "
                       "(SHT_NOBITS)",
                       what, (unsigned long long)index);
  if (s->offset > n || s->size > n - s->offset)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF truncated: %s (section %llu) is 0x%llx bytes "
                       "at offset 0x%llx, past the end of the file (0x%zx "
                       "bytes)",
                       what, (unsigned long long)index,
                       (unsigned long long)s->size,
                       (unsigned long long)s->offset, n);
  return SGXRA_OK;
}

sgxra_err sgxra__elf_find_section(sgxra_ctx *cx, const sgxra__elf *e,
                                  const char *name, sgxra__elf_section *out,
                                  int *out_found, uint64_t *out_nsections) {
  const size_t n = e->n;
  memset(out, 0, sizeof *out);
  *out_found = 0;
  *out_nsections = 0;
  if (e->shoff == 0) return SGXRA_OK; /* no section header table */
  if (e->shentsize != SGXRA__ELF_SHDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF section header size is %u, expected 64 for "
                       "ELF64",
                       e->shentsize);
  if (e->shoff > n || n - e->shoff < SGXRA__ELF_SHDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF truncated: section header table at 0x%llx is "
                       "past the end of the file (0x%zx bytes)",
                       (unsigned long long)e->shoff, n);
  /* Extended numbering: more than 0xff00 sections, or a names table index
   * that large, live in section header 0 (gABI, "Sections"). */
  uint64_t shnum = e->shnum;
  uint32_t shstrndx = e->shstrndx;
  sgxra_err err;
  if (shnum == 0 || shstrndx == SHN_XINDEX) {
    shdr s0;
    if ((err = read_shdr(cx, e, 0, &s0))) return err;
    if (shnum == 0) shnum = s0.size;
    if (shstrndx == SHN_XINDEX) shstrndx = s0.link;
  }
  if (shnum > (n - e->shoff) / SGXRA__ELF_SHDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF truncated: %llu section headers at 0x%llx need "
                       "0x%llx bytes, the file has 0x%zx",
                       (unsigned long long)shnum, (unsigned long long)e->shoff,
                       (unsigned long long)(shnum * SGXRA__ELF_SHDR_SIZE),
                       n - (size_t)e->shoff);
  if (shstrndx == 0 || shstrndx >= shnum)
    return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                       "ELF section-name table index %u is not one of the "
                       "%llu sections",
                       shstrndx, (unsigned long long)shnum);
  *out_nsections = shnum;
  shdr strtab;
  if ((err = read_shdr(cx, e, shstrndx, &strtab)) ||
      (err = section_bytes(cx, n, &strtab, shstrndx, "section-name table")))
    return err;
  const size_t want = strlen(name) + 1; /* with its NUL */
  for (uint64_t i = 1; i < shnum; i++) {
    shdr s;
    if ((err = read_shdr(cx, e, i, &s))) return err;
    if (s.name >= strtab.size || strtab.size - s.name < want) continue;
    if (memcmp(e->p + strtab.offset + s.name, name, want) != 0) continue;
    if ((err = section_bytes(cx, n, &s, i, name))) return err;
    out->index = i;
    out->offset = s.offset;
    out->size = s.size;
    out->bytes = e->p + s.offset;
    *out_found = 1;
    return SGXRA_OK;
  }
  return SGXRA_OK;
}
