/*
 * sgx/layout.c -- ELF shared object -> enclave pages -> MRENCLAVE.  The
 * layout is documented in sgxra/layout.h and docs/EMULATOR.md.
 *
 * The ELF is read by sgx/elf.c (the reader enclavefile.c uses too), which
 * checks the header and every program header; this file adds what makes a
 * well-formed ELF an enclave image or not (SGXRA_E_ELF_LAYOUT).
 */
#include <stdlib.h>

#include "core/internal.h"
#include "sgx/elf_internal.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"

#define PAGE ((uint64_t)SGXRA_PAGE_SIZE)

/* TCS fields (SDM table 37-8). */
#define TCS_OSSA 16
#define TCS_NSSA 28
#define TCS_OENTRY 32
#define TCS_FSLIMIT 64
#define TCS_GSLIMIT 68

#define SECINFO_REG_RW                                                         \
  (SGXRA_SECINFO_PT_REG | SGXRA_SECINFO_R | SGXRA_SECINFO_W)

void sgxra_layout_params_default(sgxra_layout_params *p) {
  p->ssaframesize = 1;
  p->nssa = 2;
  p->stack_pages = 16;
}

typedef struct seg {
  uint32_t flags;
  uint64_t offset, vaddr, filesz, memsz;
} seg;

static uint64_t next_pow2(uint64_t v) {
  uint64_t s = 2 * PAGE; /* the builder's minimum SIZE */
  while (s < v) s <<= 1;
  return s;
}

/* The PT_LOAD segments with memory, in program-header order, and the
 * highest page end.  sgx/elf.c has checked the file (SGXRA_E_ELF_FORMAT);
 * what is refused here is a well-formed ELF that sgxra's layout cannot
 * make an enclave of (SGXRA_E_ELF_LAYOUT): a segment beyond the image
 * cap, too many segments, no segment, or a page shared by two segments
 * (sgxra/layout.h says why). */
static sgxra_err read_segments(sgxra_ctx *cx, const sgxra__elf *elf, seg *segs,
                               size_t *out_nseg, uint64_t *out_end) {
  size_t ns = 0;
  uint64_t end = 0;
  unsigned prev_ph = 0;
  *out_nseg = 0;
  *out_end = 0;
  for (unsigned i = 0; i < elf->phnum; i++) {
    sgxra__elf_phdr h;
    sgxra_err err = sgxra__elf_read_phdr(cx, elf, i, &h);
    if (err) return err;
    if (h.type != SGXRA__ELF_PT_LOAD) continue;
    if (h.vaddr > SGXRA_LAYOUT_MAX_IMAGE ||
        h.memsz > SGXRA_LAYOUT_MAX_IMAGE - h.vaddr)
      return sgxra__fail(cx, SGXRA_E_ELF_LAYOUT,
                         "enclave ELF program header %u: p_vaddr %#llx + "
                         "p_memsz %#llx exceeds the %u MiB image cap",
                         i, (unsigned long long)h.vaddr,
                         (unsigned long long)h.memsz,
                         SGXRA_LAYOUT_MAX_IMAGE >> 20);
    if (h.memsz == 0) continue;
    if (ns == SGXRA_LAYOUT_MAX_SEGMENTS)
      return sgxra__fail(cx, SGXRA_E_ELF_LAYOUT,
                         "enclave ELF has more than %d PT_LOAD segments",
                         SGXRA_LAYOUT_MAX_SEGMENTS);
    seg s = {h.flags, h.offset, h.vaddr, h.filesz, h.memsz};
    /* The reader refused overlapping segments; two that merely meet
     * inside one page would give that page two owners. */
    uint64_t first = s.vaddr / PAGE * PAGE;
    if (ns > 0 && first < end)
      return sgxra__fail(
          cx, SGXRA_E_ELF_LAYOUT,
          "enclave ELF program header %u: PT_LOAD segment %zu starts at "
          "p_vaddr %#llx, in the page %#llx that segment %zu (program "
          "header %u) already covers; enclave pages have one owner and one "
          "SECINFO, so segments must share no page (link with -z "
          "separate-code and page-aligned segments)",
          i, ns, (unsigned long long)s.vaddr, (unsigned long long)(end - PAGE),
          ns - 1, prev_ph);
    segs[ns++] = s;
    prev_ph = i;
    end = (s.vaddr + s.memsz + PAGE - 1) / PAGE * PAGE;
  }
  if (ns == 0)
    return sgxra__fail(cx, SGXRA_E_ELF_LAYOUT,
                       "enclave ELF has no PT_LOAD segment with memory: "
                       "nothing to measure");
  *out_nseg = ns;
  *out_end = end;
  return SGXRA_OK;
}

/* The contents of the enclave page at `va` (inside segment s) as glibc's
 * loader (elf/dl-map-segments.h) leaves them before any relocation:
 *   - pages [va0, mapend), va0 = p_vaddr & ~4095, mapend = p_vaddr +
 *     p_filesz rounded up, are mmap()ed from the file at offset
 *     (p_offset & ~4095) + (va - va0): the whole file page, bytes past the
 *     end of the file read as zero.  Every such page starts inside the
 *     file, since p_offset + p_filesz <= file size and p_vaddr == p_offset
 *     modulo 4096 (a p_filesz of 0 at an unaligned p_vaddr maps the page
 *     of an unaligned p_offset <= file size);
 *   - when p_memsz > p_filesz, bytes [p_vaddr + p_filesz, min(end of that
 *     page, p_vaddr + p_memsz)) are cleared, and pages from mapend on are
 *     anonymous (zero). */
static void page_image(const uint8_t *p, size_t n, const seg *s, uint64_t va,
                       uint8_t page[SGXRA_PAGE_SIZE]) {
  uint64_t va0 = s->vaddr / PAGE * PAGE;
  uint64_t dataend = s->vaddr + s->filesz;
  uint64_t mapend = (dataend + PAGE - 1) / PAGE * PAGE;
  uint64_t allocend = s->vaddr + s->memsz;
  memset(page, 0, SGXRA_PAGE_SIZE);
  if (va >= mapend) return; /* anonymous */
  uint64_t foff = s->offset / PAGE * PAGE + (va - va0);
  if (foff < n) {
    uint64_t len = n - foff < PAGE ? n - foff : PAGE;
    memcpy(page, p + foff, (size_t)len);
  }
  if (allocend > dataend && dataend >= va && dataend < va + PAGE) {
    uint64_t zend = allocend < va + PAGE ? allocend : va + PAGE;
    memset(page + (dataend - va), 0, (size_t)(zend - dataend));
  }
}

static uint64_t secinfo_of(uint32_t pflags) {
  uint64_t f = SGXRA_SECINFO_PT_REG;
  if (pflags & SGXRA__ELF_PF_R) f |= SGXRA_SECINFO_R;
  if (pflags & SGXRA__ELF_PF_W) f |= SGXRA_SECINFO_W;
  if (pflags & SGXRA__ELF_PF_X) f |= SGXRA_SECINFO_X;
  return f;
}

sgxra_err sgxra_layout_measure_elf_ex(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                      const sgxra_layout_params *prm,
                                      sgxra_layout *out_layout,
                                      uint8_t out_mrenclave[SGXRA_HASH_SIZE]) {
  seg segs[SGXRA_LAYOUT_MAX_SEGMENTS];
  sgxra__elf elf;
  size_t nseg = 0;
  uint64_t image_end = 0, entry = 0;
  sgxra_layout lay;
  uint8_t page[SGXRA_PAGE_SIZE];
  sgxra_measure *m = NULL;
  sgxra_err err;

  memset(&lay, 0, sizeof lay);
  if (out_layout) memset(out_layout, 0, sizeof *out_layout);
  memset(out_mrenclave, 0, SGXRA_HASH_SIZE);
  if (prm == NULL || (p == NULL && n != 0))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "layout: missing ELF bytes or parameters");
  if (prm->ssaframesize < 1 || prm->ssaframesize > 16 || prm->nssa < 1 ||
      prm->nssa > 16 || prm->stack_pages < 1 || prm->stack_pages > 4096)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "layout parameters out of range: SSAFRAMESIZE %u "
                       "(1..16), NSSA %u (1..16), stack pages %u (1..4096)",
                       prm->ssaframesize, prm->nssa, prm->stack_pages);
  err = sgxra__elf_open(cx, p, n, &elf);
  if (err) return err;
  err = read_segments(cx, &elf, segs, &nseg, &image_end);
  if (err) return err;
  entry = elf.entry;

  lay.image_end = image_end;
  lay.tcs_offset = image_end;
  lay.ssa_offset = lay.tcs_offset + PAGE;
  lay.stack_offset =
      lay.ssa_offset + (uint64_t)prm->nssa * prm->ssaframesize * PAGE;
  lay.end = lay.stack_offset + (uint64_t)prm->stack_pages * PAGE;
  lay.size = next_pow2(lay.end);
  lay.ssaframesize = prm->ssaframesize;
  lay.entry = entry;

  err = sgxra_measure_new(cx, &m);
  if (err) goto done;
  err = sgxra_measure_ecreate(cx, m, prm->ssaframesize, lay.size);
  if (err) goto done;
  for (size_t i = 0; i < nseg; i++) {
    uint64_t first = segs[i].vaddr / PAGE * PAGE;
    uint64_t last = (segs[i].vaddr + segs[i].memsz + PAGE - 1) / PAGE * PAGE;
    for (uint64_t va = first; va < last; va += PAGE) {
      page_image(p, n, &segs[i], va, page);
      err =
          sgxra_measure_add_page(cx, m, va, secinfo_of(segs[i].flags), page, 1);
      if (err) goto done;
      lay.pages++;
    }
  }
  memset(page, 0, sizeof page);
  sgxra__st64(page + TCS_OSSA, lay.ssa_offset);
  sgxra__st32(page + TCS_NSSA, prm->nssa);
  sgxra__st64(page + TCS_OENTRY, entry);
  sgxra__st32(page + TCS_FSLIMIT, 0xfff);
  sgxra__st32(page + TCS_GSLIMIT, 0xfff);
  err =
      sgxra_measure_add_page(cx, m, lay.tcs_offset, SGXRA_SECINFO_TCS, page, 1);
  if (err) goto done;
  lay.pages++;
  memset(page, 0, sizeof page);
  for (uint64_t off = lay.ssa_offset; off < lay.end; off += PAGE) {
    err = sgxra_measure_add_page(cx, m, off, SECINFO_REG_RW, page, 1);
    if (err) goto done;
    lay.pages++;
  }
  err = sgxra_measure_final(cx, m, out_mrenclave);
  if (err) goto done;
  if (out_layout) *out_layout = lay;

done:
  if (err) memset(out_mrenclave, 0, SGXRA_HASH_SIZE);
  sgxra_measure_free(m);
  return err;
}

sgxra_err sgxra_layout_measure_elf(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                   uint8_t out_mrenclave[SGXRA_HASH_SIZE]) {
  sgxra_layout_params prm;
  sgxra_layout_params_default(&prm);
  return sgxra_layout_measure_elf_ex(cx, p, n, &prm, NULL, out_mrenclave);
}
