/* MRENCLAVE of an Intel SGX SDK enclave, laid out as Intel's loader lays
 * it out (sgxra/sdkenclave.h has the algorithm; sgx/sdkenclave.c opens and
 * checks the metadata this reads).
 *
 * Streaming: pages are produced one at a time and handed to the builder
 * (sgxra/measure.h).  A whole file page that no patch entry touches goes
 * to the builder straight from the caller's buffer; a partial page, or
 * one a patch overlaps, is assembled in the one 4096-byte page buffer
 * (the file bytes at their place, zeros around them, then every patch
 * entry clipped to the page, in table order, so overlapping and
 * page-straddling patches end as the loader's patched file copy would).
 * Pages that are only EADDed (heap) cost one 64-byte record; pages of
 * zeros or of one repeated u32 are filled once per layout entry.
 *
 * Patch sources are read from the metadata as the file holds it: a patch
 * entry writing into the note itself (no SDK writes one) would, in the
 * loader, change the sources of the entries after it; sgxra does not
 * reproduce that. */
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "sgx/elf_internal.h"
#include "sgx/sdk_internal.h"
#include "sgxra/measure.h"
#include "sgxra/sdkenclave.h"

#define PAGE SGXRA_PAGE_SIZE
#define PT_DYNAMIC 2
#define DT_NULL 0
#define DT_TEXTREL 22

static const uint8_t ZERO_PAGE[PAGE];

/* Where a page comes from, formatted only when someone reads it. */
typedef struct src {
  int kind; /* S_SEGMENT, S_SEGZERO, S_QUIRK, S_LAYOUT */
  unsigned index;
  uint16_t id;
  uint32_t group, rep; /* group entry and repetition, rep 0: none */
} src;

enum { S_SEGMENT, S_SEGZERO, S_QUIRK, S_LAYOUT };

typedef struct st {
  sgxra_ctx *cx;
  sgxra_measure *m;
  const sgxra_sdk_enclave *e;
  const sgxra_sdk_meta *meta;
  sgxra_sdk_page_fn fn;
  void *arg;
  uint64_t patch_lo, patch_hi; /* file range any patch touches */
  char text[128];
  uint8_t page[PAGE] __attribute__((aligned(64)));
} st;

static const char *ordinal_suffix(uint32_t n) {
  if (n % 100 >= 11 && n % 100 <= 13) return "th";
  switch (n % 10) {
  case 1:
    return "st";
  case 2:
    return "nd";
  case 3:
    return "rd";
  default:
    return "th";
  }
}

static const char *describe(st *s, const src *w) {
  switch (w->kind) {
  case S_SEGMENT:
    snprintf(s->text, sizeof s->text, "PT_LOAD %u", w->index);
    break;
  case S_SEGZERO:
    snprintf(s->text, sizeof s->text, "PT_LOAD %u (zero)", w->index);
    break;
  case S_QUIRK:
    snprintf(s->text, sizeof s->text, "v1.3 extra page (after PT_LOAD %u)",
             w->index);
    break;
  default: {
    const char *name = sgxra__sdk_layout_name(s->meta->id_numbering, w->id);
    int k = snprintf(s->text, sizeof s->text, "layout entry %u (id %u%s%s)",
                     w->index, w->id, name ? " " : "", name ? name : "");
    if (w->rep && k > 0 && (size_t)k < sizeof s->text)
      snprintf(s->text + k, sizeof s->text - (size_t)k,
               ", group entry %u, %u%s", w->group, w->rep,
               ordinal_suffix(w->rep));
  }
  }
  return s->text;
}

/* Add one page; `bytes` NULL means zeros. */
static sgxra_err emit(st *s, uint64_t offset, uint64_t flags,
                      const uint8_t *bytes, int extended, const src *w) {
  const uint8_t *b = bytes ? bytes : ZERO_PAGE;
  sgxra_err e = sgxra_measure_add_page(s->cx, s->m, offset, flags,
                                       extended ? b : NULL, extended);
  if (e) return sgxra__context(s->cx, e, "%s", describe(s, w));
  if (s->fn) {
    sgxra_sdk_page pg;
    pg.offset = offset;
    pg.secinfo_flags = (flags & SGXRA_SECINFO_PT_MASK) == SGXRA_SECINFO_PT_TCS
                           ? SGXRA_SECINFO_PT_TCS
                           : flags;
    pg.extended = extended;
    pg.bytes = b;
    pg.source = describe(s, w);
    e = s->fn(s->arg, &pg);
    if (e) return e;
  }
  return SGXRA_OK;
}

/* Copy the patch bytes that fall in file [fo, fo + len) to dst. */
static void apply_patches(const st *s, uint8_t *dst, uint64_t fo,
                          uint64_t len) {
  const sgxra_sdk_meta *m = s->meta;
  const uint8_t *t = m->head.record + m->head.patch_offset;
  for (uint32_t i = 0; i < m->npatches; i++, t += SGXRA__SDK_ENTRY) {
    uint64_t d = sgxra__le64(t);
    uint32_t from = sgxra__le32(t + 8), size = sgxra__le32(t + 12);
    uint64_t lo = d > fo ? d : fo;
    uint64_t hi = d + size < fo + len ? d + size : fo + len;
    if (lo < hi)
      memcpy(dst + (lo - fo), m->head.record + from + (lo - d),
             (size_t)(hi - lo));
  }
}

/* The loader's build_mem_region: raw[0..raw_size) at rva (raw comes from
 * file offset `fo` when from_file, so patches apply), then zero pages up
 * to rva + vsize; every page EADDed and EEXTENDed. */
static sgxra_err region(st *s, const uint8_t *raw, uint64_t raw_size,
                        int from_file, uint64_t fo, uint64_t rva,
                        uint64_t vsize, uint64_t flags, const src *w,
                        const src *wzero) {
  uint64_t off = 0;
  sgxra_err e;
  while (off < raw_size) {
    uint64_t r = rva + off, po = r % PAGE;
    uint64_t size = PAGE - po < raw_size - off ? PAGE - po : raw_size - off;
    uint64_t f = fo + off;
    int patched = from_file && f < s->patch_hi && f + size > s->patch_lo;
    const uint8_t *bytes = raw + off;
    if (size != PAGE || patched) {
      if (size != PAGE) memset(s->page, 0, PAGE);
      memcpy(s->page + po, raw + off, (size_t)size);
      if (patched) apply_patches(s, s->page + po, f, size);
      bytes = s->page;
    }
    if ((e = emit(s, r - po, flags, bytes, 1, w))) return e;
    off += PAGE - po;
  }
  if (vsize > off) {
    uint64_t r = rva + off, po = r % PAGE;
    uint64_t n = (vsize - off + po + PAGE - 1) / PAGE;
    for (uint64_t k = 0; k < n; k++)
      if ((e = emit(s, r - po + k * PAGE, flags, NULL, 1, wzero))) return e;
  }
  return SGXRA_OK;
}

/* DT_TEXTREL in PT_DYNAMIC: the loader would make relocated text pages
 * writable (a different SECINFO), which sgxra does not reproduce. */
static sgxra_err check_textrel(sgxra_ctx *cx, const sgxra__elf *elf) {
  for (unsigned i = 0; i < elf->phnum; i++) {
    sgxra__elf_phdr h;
    sgxra_err e = sgxra__elf_read_phdr(cx, elf, i, &h);
    if (e) return e;
    if (h.type != PT_DYNAMIC) continue;
    if (h.offset > elf->n || h.filesz > elf->n - h.offset)
      return sgxra__fail(cx, SGXRA_E_ELF_FORMAT,
                         "ELF program header %u: PT_DYNAMIC (file offset "
                         "0x%llx, %llu bytes) lies outside the %zu-byte file",
                         i, (unsigned long long)h.offset,
                         (unsigned long long)h.filesz, elf->n);
    const uint8_t *d = elf->p + h.offset;
    for (uint64_t k = 0; k + 16 <= h.filesz; k += 16) {
      uint64_t tag = sgxra__le64(d + k);
      if (tag == DT_NULL) break;
      if (tag == DT_TEXTREL)
        return sgxra__fail(cx, SGXRA_E_SGXMETA_UNSUPPORTED,
                           "the enclave has text relocations (DT_TEXTREL): "
                           "Intel's loader makes the relocated pages "
                           "writable, which sgxra does not reproduce; "
                           "rebuild the enclave with -fPIC");
    }
  }
  return SGXRA_OK;
}

static uint64_t round_up(uint64_t v) {
  return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}
static uint64_t trim(uint64_t v) {
  return v & ~(uint64_t)(PAGE - 1);
}

typedef struct seg {
  uint64_t rva, memsz, flags;
  unsigned index;
} seg;

/* version 1.3's extra page after `last` (loader build_sections) */
static sgxra_err quirk_page(st *s, const seg *last) {
  src w = {S_QUIRK, last->index, 0, 0, 0};
  return emit(s, round_up(last->rva + last->memsz), last->flags, NULL, 1, &w);
}

static int quirk_applies(const seg *last) {
  return round_up(last->memsz + last->rva) <
         round_up(round_up(last->memsz) + last->rva);
}

static sgxra_err segments(st *s, const sgxra__elf *elf) {
  sgxra_sdk_meta const *m = s->meta;
  int v13 = m->head.version_major == 1 && m->head.version_minor == 3;
  seg last = {0, 0, 0, 0};
  int have_last = 0;
  uint64_t max_rva = 0;
  unsigned nload = 0;
  for (unsigned i = 0; i < elf->phnum; i++) {
    sgxra__elf_phdr h;
    sgxra_err e = sgxra__elf_read_phdr(s->cx, elf, i, &h);
    if (e) return e;
    if (h.type != SGXRA__ELF_PT_LOAD) continue;
    nload++;
    uint64_t flags = SGXRA_SECINFO_PT_REG;
    if (h.flags & SGXRA__ELF_PF_R) flags |= SGXRA_SECINFO_R;
    if (h.flags & SGXRA__ELF_PF_W) flags |= SGXRA_SECINFO_W;
    if (h.flags & SGXRA__ELF_PF_X) flags |= SGXRA_SECINFO_X;
    if (flags == SGXRA_SECINFO_PT_REG)
      return sgxra__fail(s->cx, SGXRA_E_ELF_LAYOUT,
                         "ELF program header %u: PT_LOAD %u has p_flags "
                         "0x%x, none of R/W/X, which Intel's loader refuses",
                         i, nload, h.flags);
    if (v13 && have_last && quirk_applies(&last) &&
        round_up(last.rva + last.memsz) < trim(h.vaddr))
      if ((e = quirk_page(s, &last))) return e;
    if (h.vaddr > max_rva) {
      max_rva = h.vaddr;
      last = (seg){h.vaddr, h.memsz, flags, nload};
      have_last = 1;
    }
    src w = {S_SEGMENT, nload, 0, 0, 0}, wz = {S_SEGZERO, nload, 0, 0, 0};
    if ((e = region(s, elf->p + h.offset, h.filesz, 1, h.offset, h.vaddr,
                    h.memsz, flags, &w, &wz)))
      return e;
  }
  if (v13 && have_last && quirk_applies(&last)) return quirk_page(s, &last);
  return SGXRA_OK;
}

/* Does plain entry t add any page? */
static int adds_pages(const uint8_t *t) {
  uint16_t a = sgxra__le16(t + 2);
  return (a & SGXRA_SDK_PAGE_EADD) && sgxra__le32(t + 4) != 0 &&
         (sgxra__le32(t + 20) != 0 || sgxra__le64(t + 24) != 0);
}

/* The loader's build_context for plain entry t (index i) at delta. */
static sgxra_err context(st *s, const uint8_t *t, uint64_t delta,
                         const src *w) {
  const sgxra_sdk_meta *m = s->meta;
  uint16_t a = sgxra__le16(t + 2);
  uint32_t pages = sgxra__le32(t + 4);
  uint64_t rva = delta + sgxra__le64(t + 8);
  uint32_t csize = sgxra__le32(t + 16), coff = sgxra__le32(t + 20);
  uint64_t si = sgxra__le64(t + 24);
  int ext = (a & SGXRA_SDK_PAGE_EEXTEND) != 0;
  sgxra_err e;
  if (!(a & SGXRA_SDK_PAGE_EADD)) return SGXRA_OK;
  const uint8_t *bytes = NULL;
  if (coff != 0) {
    if (si != SGXRA_SECINFO_PT_TCS)
      return region(s, m->head.record + coff, csize, 0, 0, rva,
                    (uint64_t)pages * PAGE, si, w, w);
    memset(s->page, 0, PAGE);
    memcpy(s->page, m->head.record + coff, csize);
    static const unsigned fix[] = {16, 48, 56}; /* OSSA, OFSBASE, OGSBASE */
    for (unsigned k = 0; k < 3; k++)
      sgxra__st64(s->page + fix[k], sgxra__le64(s->page + fix[k]) + rva);
    bytes = s->page;
  } else if (si == 0) {
    return SGXRA_OK; /* guard pages */
  } else if (csize != 0 && (ext || s->fn)) {
    for (unsigned k = 0; k < PAGE; k += 4) sgxra__st32(s->page + k, csize);
    bytes = s->page;
  }
  for (uint32_t k = 0; k < pages; k++)
    if ((e = emit(s, rva + (uint64_t)k * PAGE, si, bytes, ext, w))) return e;
  return SGXRA_OK;
}

static sgxra_err layout(st *s) {
  const sgxra_sdk_meta *m = s->meta;
  const uint8_t *tab = m->head.record + m->head.layout_offset;
  sgxra_err e;
  for (uint32_t i = 0; i < m->nlayout; i++) {
    const uint8_t *t = tab + (size_t)i * SGXRA__SDK_ENTRY;
    uint16_t id = sgxra__le16(t);
    if (!(id & SGXRA_SDK_GROUP_FLAG)) {
      src w = {S_LAYOUT, i, id, 0, 0};
      if ((e = context(s, t, 0, &w))) return e;
      continue;
    }
    uint16_t count = sgxra__le16(t + 2);
    uint32_t times = sgxra__le32(t + 4);
    uint64_t step = sgxra__le64(t + 8);
    /* Skip a group that adds nothing (it could repeat 2^32 times). */
    int any = 0;
    for (uint32_t k = i - count; k < i && !any; k++)
      any = adds_pages(tab + (size_t)k * SGXRA__SDK_ENTRY);
    if (!any) continue;
    for (uint32_t j = 1; j <= times && j != 0; j++)
      for (uint32_t k = i - count; k < i; k++) {
        const uint8_t *r = tab + (size_t)k * SGXRA__SDK_ENTRY;
        src w = {S_LAYOUT, k, sgxra__le16(r), i, j};
        if ((e = context(s, r, (uint64_t)j * step, &w))) return e;
      }
  }
  return SGXRA_OK;
}

static sgxra_err unsupported(sgxra_ctx *cx, const sgxra__elf *elf,
                             const sgxra_sdk_meta *m) {
  if (m->head.version_major == 11 || m->head.version_major == 13)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_UNSUPPORTED,
                       "metadata %u.%u is an ELRANGE layout (major 11/13: "
                       "the enclave is loaded at a fixed range); sgxra does "
                       "not reproduce its measurement",
                       m->head.version_major, m->head.version_minor);
  if (m->extend_size != 0)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_UNSUPPORTED,
                       "metadata %u.%u has %u bytes of EXTEND entries (a FIPS "
                       "shared object loaded into the enclave); sgxra does "
                       "not reproduce its measurement",
                       m->head.version_major, m->head.version_minor,
                       m->extend_size);
  return check_textrel(cx, elf);
}

sgxra_err sgxra_sdk_measure(sgxra_ctx *cx, const sgxra_sdk_enclave *e,
                            unsigned copy, sgxra_sdk_page_fn fn, void *arg,
                            sgxra_sdk_measurement *out) {
  if (!out || !e)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sdk_measure: NULL argument");
  memset(out, 0, sizeof *out);
  if (copy >= e->ncopies)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SDK enclave: copy %u asked for, it has %u metadata "
                       "copies",
                       copy, e->ncopies);
  const sgxra_sdk_meta *m = &e->copies[copy];
  sgxra__elf elf;
  sgxra_err err = sgxra__elf_open(cx, e->file, e->file_len, &elf);
  if (err) return err;
  if ((err = unsupported(cx, &elf, m)))
    return sgxra__context(cx, err, "SDK enclave");
  st *s = calloc(1, sizeof *s);
  if (!s)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY,
                       "out of memory for the SDK measurement state");
  s->cx = cx;
  s->e = e;
  s->meta = m;
  s->fn = fn;
  s->arg = arg;
  s->patch_lo = UINT64_MAX;
  const uint8_t *t = m->head.record + m->head.patch_offset;
  for (uint32_t i = 0; i < m->npatches; i++, t += SGXRA__SDK_ENTRY) {
    uint64_t d = sgxra__le64(t);
    uint32_t size = sgxra__le32(t + 12);
    if (size == 0) continue;
    if (d < s->patch_lo) s->patch_lo = d;
    if (d + size > s->patch_hi) s->patch_hi = d + size;
  }
  err = sgxra_measure_new(cx, &s->m);
  if (!err) {
    err = sgxra_measure_ecreate(cx, s->m, m->head.ssa_frame_size,
                                m->head.enclave_size);
    if (err)
      err = sgxra__context(cx, err,
                           "metadata %u.%u ssa_frame_size and enclave_size",
                           m->head.version_major, m->head.version_minor);
  }
  if (!err) err = segments(s, &elf);
  if (!err) err = layout(s);
  if (!err) err = sgxra_measure_final(cx, s->m, out->mrenclave);
  if (!err) {
    sgxra_measure_info info;
    sgxra_measure_get_info(s->m, &info);
    out->eadd = info.pages;
    out->eextend = info.chunks;
    out->measured_bytes = info.chunks * SGXRA_EEXTEND_CHUNK;
    out->match =
        memcmp(out->mrenclave, m->head.sigstruct + 960, SGXRA_HASH_SIZE) == 0;
  } else {
    memset(out, 0, sizeof *out);
    err = sgxra__context(cx, err, "metadata %u.%u", m->head.version_major,
                         m->head.version_minor);
  }
  sgxra_measure_free(s->m);
  free(s);
  return err;
}

sgxra_err sgxra_sdk_check_file(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               sgxra_sdk_check *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sdk_check_file: the output is NULL");
  memset(out, 0, sizeof *out);
  sgxra_sdk_enclave en;
  sgxra_err e = sgxra_sdk_open(cx, p, n, &en);
  if (e) return e;
  int all = 1;
  for (unsigned i = 0; i < en.ncopies; i++) {
    e = sgxra_sdk_measure(cx, &en, i, NULL, NULL, &out->copies[i]);
    if (e) {
      memset(out, 0, sizeof *out);
      return e;
    }
    out->version_major[i] = en.copies[i].head.version_major;
    out->version_minor[i] = en.copies[i].head.version_minor;
    all &= out->copies[i].match != 0;
  }
  out->selected = en.selected;
  out->ncopies = en.ncopies;
  memcpy(out->measured, out->copies[en.selected].mrenclave, SGXRA_HASH_SIZE);
  memcpy(out->signed_hash, en.copies[en.selected].head.sigstruct + 960,
         SGXRA_HASH_SIZE);
  out->match = all;
  return SGXRA_OK;
}
