/*
 * sgx/layout.c -- ELF shared object -> enclave pages -> MRENCLAVE.  The
 * layout is documented in sgxra/layout.h and docs/EMULATOR.md.
 *
 * ELF64 little-endian, the fields read (System V gABI, "ELF Header" and
 * "Program Header"):
 *
 *   header  0 e_ident[16] (7f 'E' 'L' 'F', class 2 = 64-bit, data 1 = LE)
 *          16 e_type u16 (3 = ET_DYN)   18 e_machine u16 (62 = x86-64)
 *          24 e_entry u64               32 e_phoff u64
 *          54 e_phentsize u16 (56)      56 e_phnum u16
 *   phdr    0 p_type u32 (1 = PT_LOAD)  4 p_flags u32 (X 1, W 2, R 4)
 *           8 p_offset u64             16 p_vaddr u64
 *          32 p_filesz u64             40 p_memsz u64
 */
#include <stdlib.h>

#include "core/internal.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"

#define ELF_HDR_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELF_ET_DYN 3
#define ELF_EM_X86_64 62
#define ELF_PT_LOAD 1
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

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

/* Read and check the header and program headers; fills segs (PT_LOAD only,
 * memsz > 0, in program-header order) and the highest page end.  What
 * glibc's loader would refuse or fault on is refused here, and so is a page
 * shared by two segments (sgxra/layout.h says why). */
static sgxra_err read_elf(sgxra_ctx *cx, const uint8_t *p, size_t n, seg *segs,
                          size_t *out_nseg, uint64_t *out_end,
                          uint64_t *out_entry) {
  static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
  *out_nseg = 0;
  *out_end = 0;
  *out_entry = 0;
  if (n < ELF_HDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF truncated: the ELF header needs %d bytes, "
                       "the file has %zu",
                       ELF_HDR_SIZE, n);
  if (memcmp(p, magic, 4) != 0)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave file is not ELF (no 7f 45 4c 46 magic at "
                       "offset 0): pass the enclave's .so");
  if (p[4] != 2 || p[5] != 1)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF must be 64-bit little-endian "
                       "(EI_CLASS 2, EI_DATA 1), found class %u data %u",
                       p[4], p[5]);
  uint16_t type = sgxra__le16(p + 16), machine = sgxra__le16(p + 18);
  if (type != ELF_ET_DYN)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF must be a shared object (e_type 3 "
                       "ET_DYN), found e_type %u: link with -shared",
                       type);
  if (machine != ELF_EM_X86_64)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF must be x86-64 (e_machine 62), found %u",
                       machine);
  *out_entry = sgxra__le64(p + 24);
  uint64_t phoff = sgxra__le64(p + 32);
  uint16_t phentsize = sgxra__le16(p + 54), phnum = sgxra__le16(p + 56);
  if (phentsize != ELF_PHDR_SIZE)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF e_phentsize is %u, expected %d", phentsize,
                       ELF_PHDR_SIZE);
  if (phoff > n || (uint64_t)phnum * ELF_PHDR_SIZE > n - phoff)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                       "enclave ELF truncated: %u program headers at offset "
                       "%llu need %llu bytes, the file has %zu",
                       phnum, (unsigned long long)phoff,
                       (unsigned long long)phnum * ELF_PHDR_SIZE, n);
  size_t ns = 0;
  uint64_t end = 0;
  unsigned prev_ph = 0;
  for (unsigned i = 0; i < phnum; i++) {
    const uint8_t *h = p + phoff + (uint64_t)i * ELF_PHDR_SIZE;
    if (sgxra__le32(h) != ELF_PT_LOAD) continue;
    seg s;
    s.flags = sgxra__le32(h + 4);
    s.offset = sgxra__le64(h + 8);
    s.vaddr = sgxra__le64(h + 16);
    s.filesz = sgxra__le64(h + 32);
    s.memsz = sgxra__le64(h + 40);
    if (s.filesz > s.memsz)
      return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                         "enclave ELF program header %u: p_filesz %llu "
                         "exceeds p_memsz %llu",
                         i, (unsigned long long)s.filesz,
                         (unsigned long long)s.memsz);
    if (s.offset > n || s.filesz > n - s.offset)
      return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                         "enclave ELF program header %u: file bytes "
                         "[%llu, +%llu) run past the end of the file (%zu "
                         "bytes)",
                         i, (unsigned long long)s.offset,
                         (unsigned long long)s.filesz, n);
    if (s.vaddr > SGXRA_LAYOUT_MAX_IMAGE ||
        s.memsz > SGXRA_LAYOUT_MAX_IMAGE - s.vaddr)
      return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                         "enclave ELF program header %u: p_vaddr %#llx + "
                         "p_memsz %#llx exceeds the %u MiB image cap",
                         i, (unsigned long long)s.vaddr,
                         (unsigned long long)s.memsz,
                         SGXRA_LAYOUT_MAX_IMAGE >> 20);
    if (s.memsz == 0) continue;
    if (ns == SGXRA_LAYOUT_MAX_SEGMENTS)
      return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                         "enclave ELF has more than %d PT_LOAD segments",
                         SGXRA_LAYOUT_MAX_SEGMENTS);
    /* The loader maps page (p_vaddr & ~4095) from file offset
     * (p_offset & ~4095): both must lie at the same place in a page. */
    if ((s.vaddr - s.offset) % PAGE != 0)
      return sgxra__fail(cx, SGXRA_E_EMU_ELF,
                         "enclave ELF program header %u: p_vaddr %#llx and "
                         "p_offset %#llx differ in their offset within a "
                         "4096-byte page, so the loader cannot map it "
                         "(dlopen refuses it too)",
                         i, (unsigned long long)s.vaddr,
                         (unsigned long long)s.offset);
    uint64_t first = s.vaddr / PAGE * PAGE;
    if (ns > 0 && first < end)
      return sgxra__fail(
          cx, SGXRA_E_EMU_ELF,
          "enclave ELF program header %u: PT_LOAD segment %zu starts at "
          "p_vaddr %#llx, in or below the page %#llx that segment %zu "
          "(program header %u) already covers; enclave pages have one owner "
          "and one SECINFO, so segments must be in ascending order and "
          "share no page (link with -z separate-code and page-aligned "
          "segments)",
          i, ns, (unsigned long long)s.vaddr, (unsigned long long)(end - PAGE),
          ns - 1, prev_ph);
    segs[ns++] = s;
    prev_ph = i;
    end = (s.vaddr + s.memsz + PAGE - 1) / PAGE * PAGE;
  }
  if (ns == 0)
    return sgxra__fail(cx, SGXRA_E_EMU_ELF,
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
  if (pflags & ELF_PF_R) f |= SGXRA_SECINFO_R;
  if (pflags & ELF_PF_W) f |= SGXRA_SECINFO_W;
  if (pflags & ELF_PF_X) f |= SGXRA_SECINFO_X;
  return f;
}

sgxra_err sgxra_layout_measure_elf_ex(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                      const sgxra_layout_params *prm,
                                      sgxra_layout *out_layout,
                                      uint8_t out_mrenclave[SGXRA_HASH_SIZE]) {
  seg segs[SGXRA_LAYOUT_MAX_SEGMENTS];
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
  err = read_elf(cx, p, n, segs, &nseg, &image_end, &entry);
  if (err) return err;

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
