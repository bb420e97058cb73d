/* Intel SGX SDK enclaves: the note, every metadata copy and its tables
 * checked (sgxra/sdkenclave.h); the measurement is in sgx/sdkmeasure.c.
 *
 * One metadata_t record (the head is decoded by sgx/enclavefile.c):
 *
 *      0  head: magic, version, size, ... enclave_size, attributes
 *     64  enclave_css: the SIGSTRUCT (1808 bytes)
 *   1872  dirs[]: {offset u32, size u32}, offsets from the record start:
 *         PATCH, LAYOUT (SDK <= 2.23: 2 entries, data at 1888) or PATCH,
 *         LAYOUT, ELRANGE, EXTEND (SDK >= 2.24: 4 entries, data at 1904)
 *
 * The record does not say how many dirs it has (nor does the version:
 * SDK 2.24+ writes 1.5 and 3.x records with 4, older SDKs 1.4 and 3.0
 * with 2), so the count is read from where the data starts.  The SDK
 * writes its data area right after dirs[] (the TCS template first, then
 * the patch sources, the patch table, the layout table), so the lowest
 * nonzero offset the record refers to -- dirs[0..1] (at the same place
 * in both), every patch src, every layout content_offset -- is 1888 with
 * 2 dirs and 1904 with 4.  Rule: 4 dirs when that offset is >= 1904 (and
 * the record is at least 1904 bytes), else 2.  With 4 dirs, data below
 * 1904 would overlap dirs[2..3], so a well-formed record is never
 * mistaken; a 2-dir record that leaves 1888..1903 unused is read as 4
 * dirs, and its ELRANGE/EXTEND fields (then zero or checked) decide.
 *
 *   patch_entry_t   0 dst u64 (file offset)  8 src u32 (record offset)
 *                  12 size u32              16 reserved u32[4]
 *   layout_entry_t  0 id u16  2 attributes u16  4 page_count u32
 *                   8 rva u64  16 content_size u32  20 content_offset u32
 *                  24 si_flags u64
 *   layout_group_t  0 id u16 (0x1000 set)  2 entry_count u16
 *                   4 load_times u32  8 load_step u64  16 reserved u32[4]
 *
 * Checks are those of the loader's validate_metadata (patch src inside the
 * record; every layout page, group repetitions included, inside
 * enclave_size; a group replaying only plain entries before it), plus the
 * ones a measurement relies on (patch dst inside the file, content sizes
 * that fit their pages, known page types). */
#include "sgxra/sdkenclave.h"
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "sgx/elf_internal.h"
#include "sgx/sdk_internal.h"
#include "sgxra/measure.h"

#define PAGE SGXRA_PAGE_SIZE

static const char *const NAMES_1X[] = {NULL,  "HEAP",  "TCS",   "TD",
                                       "SSA", "STACK", "GROUP", "GUARD"};
static const char *const NAMES_2X[] = {NULL,
                                       "HEAP_MIN",
                                       "HEAP_INIT",
                                       "HEAP_MAX",
                                       "TCS",
                                       "TD",
                                       "SSA",
                                       "STACK_MAX",
                                       "STACK_MIN",
                                       "THREAD_GROUP",
                                       "GUARD",
                                       "HEAP_DYN_MIN",
                                       "HEAP_DYN_INIT",
                                       "HEAP_DYN_MAX",
                                       "TCS_DYN",
                                       "TD_DYN",
                                       "SSA_DYN",
                                       "STACK_DYN_MAX",
                                       "STACK_DYN_MIN",
                                       "THREAD_GROUP_DYN",
                                       "RSRV_MIN",
                                       "RSRV_INIT",
                                       "RSRV_MAX",
                                       "USER_REGION"};

const char *sgxra__sdk_layout_name(int numbering, uint16_t id) {
  unsigned i = id & ~(unsigned)SGXRA_SDK_GROUP_FLAG;
  if (numbering == 1 && i < sizeof NAMES_1X / sizeof NAMES_1X[0])
    return NAMES_1X[i];
  if (numbering == 2 && i < sizeof NAMES_2X / sizeof NAMES_2X[0])
    return NAMES_2X[i];
  return NULL;
}

/* A table [off, off + size) inside the record. */
static sgxra_err check_table(sgxra_ctx *cx, const sgxra_sdk_meta *m,
                             const char *name, uint32_t off, uint32_t size) {
  if (off > m->head.size || size > m->head.size - off)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "metadata %u.%u: its %s table (offset %u, %u bytes) "
                       "lies outside the %u-byte record",
                       m->head.version_major, m->head.version_minor, name, off,
                       size, m->head.size);
  if (size % SGXRA__SDK_ENTRY &&
      (!strcmp(name, "patch") || !strcmp(name, "layout")))
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "metadata %u.%u: its %s table is %u bytes, not a "
                       "whole number of 32-byte entries",
                       m->head.version_major, m->head.version_minor, name,
                       size);
  return SGXRA_OK;
}

/* [off, off + size) inside the record (content and patch sources); like
 * the loader, an offset at or past the end is refused even for size 0. */
static int in_record(const sgxra_sdk_meta *m, uint32_t off, uint32_t size) {
  return off < m->head.size && size <= m->head.size - off;
}

static sgxra_err check_patches(sgxra_ctx *cx, const sgxra_sdk_meta *m,
                               size_t file_len) {
  const uint8_t *t = m->head.record + m->head.patch_offset;
  for (uint32_t i = 0; i < m->npatches; i++, t += SGXRA__SDK_ENTRY) {
    uint64_t dst = sgxra__le64(t);
    uint32_t src = sgxra__le32(t + 8), size = sgxra__le32(t + 12);
    if (!in_record(m, src, size))
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: patch entry %u copies %u bytes "
                         "from record offset %u, outside the %u-byte record",
                         m->head.version_major, m->head.version_minor, i, size,
                         src, m->head.size);
    if (dst > file_len || size > file_len - dst)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: patch entry %u writes %u bytes at "
                         "file offset 0x%llx, outside the %zu-byte file",
                         m->head.version_major, m->head.version_minor, i, size,
                         (unsigned long long)dst, file_len);
  }
  return SGXRA_OK;
}

/* si_flags the loader can add: none (a guard), a TCS, a REG page with any
 * of R/W/X. */
static int known_si_flags(uint64_t f) {
  return f == 0 || f == SGXRA_SECINFO_PT_TCS ||
         (f & ~(uint64_t)7) == SGXRA_SECINFO_PT_REG;
}

/* One plain entry at rva + delta (delta = the largest group step that
 * replays it, 0 for the entry itself). */
static sgxra_err check_entry(sgxra_ctx *cx, const sgxra_sdk_meta *m, uint32_t i,
                             const uint8_t *t, uint64_t delta, uint32_t group) {
  uint16_t id = sgxra__le16(t), attr = sgxra__le16(t + 2);
  uint32_t pages = sgxra__le32(t + 4);
  uint64_t rva = sgxra__le64(t + 8);
  uint32_t csize = sgxra__le32(t + 16), coff = sgxra__le32(t + 20);
  uint64_t si = sgxra__le64(t + 24);
  uint64_t size = m->head.enclave_size;
  uint64_t bytes = (uint64_t)pages * PAGE;
  char via[80] = "";
  if (group != UINT32_MAX)
    snprintf(via, sizeof via, " replayed by group entry %u at + 0x%llx", group,
             (unsigned long long)delta);
  if (rva % PAGE || delta % PAGE)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "metadata %u.%u: layout entry %u (id %u)%s starts at "
                       "rva 0x%llx, not page-aligned",
                       m->head.version_major, m->head.version_minor, i, id, via,
                       (unsigned long long)rva);
  if (rva > size || delta > size - rva || bytes > size - rva - delta)
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "metadata %u.%u: layout entry %u (id %u)%s: %u pages "
                       "at rva 0x%llx end beyond the enclave size 0x%llx",
                       m->head.version_major, m->head.version_minor, i, id, via,
                       pages, (unsigned long long)rva,
                       (unsigned long long)size);
  if (group != UINT32_MAX) return SGXRA_OK; /* the rest was checked */
  if (!known_si_flags(si))
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "metadata %u.%u: layout entry %u (id %u) has si_flags "
                       "0x%llx, an unknown page type (expected 0, TCS 0x100 "
                       "or REG 0x200 with R/W/X)",
                       m->head.version_major, m->head.version_minor, i, id,
                       (unsigned long long)si);
  if (coff != 0) {
    if (!in_record(m, coff, csize))
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: layout entry %u (id %u) content "
                         "(offset %u, %u bytes) lies outside the %u-byte "
                         "record",
                         m->head.version_major, m->head.version_minor, i, id,
                         coff, csize, m->head.size);
    uint64_t room = si == SGXRA_SECINFO_PT_TCS ? PAGE : bytes;
    if ((attr & SGXRA_SDK_PAGE_EADD) && csize > room)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: layout entry %u (id %u) content of "
                         "%u bytes does not fit its %llu bytes of pages",
                         m->head.version_major, m->head.version_minor, i, id,
                         csize, (unsigned long long)room);
  }
  return SGXRA_OK;
}

static sgxra_err check_layout(sgxra_ctx *cx, sgxra_sdk_meta *m) {
  const uint8_t *tab = m->head.record + m->head.layout_offset;
  for (uint32_t i = 0; i < m->nlayout; i++) {
    const uint8_t *t = tab + (size_t)i * SGXRA__SDK_ENTRY;
    uint16_t id = sgxra__le16(t);
    if (!(id & SGXRA_SDK_GROUP_FLAG)) {
      sgxra_err e = check_entry(cx, m, i, t, 0, UINT32_MAX);
      if (e) return e;
      if (!m->id_numbering && sgxra__le64(t + 24) == SGXRA_SECINFO_PT_TCS)
        m->id_numbering = id == 2 ? 1 : id == 4 ? 2 : 0;
      continue;
    }
    uint16_t count = sgxra__le16(t + 2);
    uint32_t times = sgxra__le32(t + 4);
    uint64_t step = sgxra__le64(t + 8);
    if (count > i)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: layout group entry %u (id 0x%x) "
                         "replays %u entries, but only %u come before it",
                         m->head.version_major, m->head.version_minor, i, id,
                         count, i);
    if (times == 0) continue;
    if (step != 0 && times > UINT64_MAX / step)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         "metadata %u.%u: layout group entry %u: %u times "
                         "step 0x%llx overflows",
                         m->head.version_major, m->head.version_minor, i, times,
                         (unsigned long long)step);
    uint64_t last = (uint64_t)times * step;
    for (uint32_t k = i - count; k < i; k++) {
      const uint8_t *r = tab + (size_t)k * SGXRA__SDK_ENTRY;
      if (sgxra__le16(r) & SGXRA_SDK_GROUP_FLAG)
        return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                           "metadata %u.%u: layout group entry %u replays "
                           "entry %u, itself a group (the loader refuses "
                           "nested groups)",
                           m->head.version_major, m->head.version_minor, i, k);
      /* Every repetition lies inside when the last (largest) one does. */
      sgxra_err e = check_entry(cx, m, k, r, last, i);
      if (e) return e;
    }
  }
  return SGXRA_OK;
}

/* Intel's validate_layout_table: every entry of the table, group
 * repetitions included and whatever it adds (guard pages and POST_ADD-only
 * entries too), sorted by (rva, bytes), must not run into the next one --
 * so a page-less entry strictly inside another's range counts as an
 * overlap too, as in the loader.  The repetitions are expanded into a
 * temporary list, capped so a hostile table cannot make it huge. */
#define OVERLAP_MAX_RANGES (1u << 20)

typedef struct range {
  uint64_t rva, bytes;
  uint32_t entry, group, rep; /* group UINT32_MAX: not replayed */
} range;

static int range_cmp(const void *a, const void *b) {
  const range *x = a, *y = b;
  if (x->rva != y->rva) return x->rva < y->rva ? -1 : 1;
  if (x->bytes != y->bytes) return x->bytes < y->bytes ? -1 : 1;
  return 0;
}

static void range_name(const sgxra_sdk_meta *m, const range *r, char *buf,
                       size_t n) {
  const uint8_t *t =
      m->head.record + m->head.layout_offset + (size_t)r->entry * 32;
  uint16_t id = sgxra__le16(t);
  const char *name = sgxra__sdk_layout_name(m->id_numbering, id);
  int k = snprintf(buf, n, "layout entry %u (id %u%s%s)", r->entry, id,
                   name ? " " : "", name ? name : "");
  if (r->group != UINT32_MAX && k > 0 && (size_t)k < n)
    snprintf(buf + k, n - (size_t)k, " replayed by group entry %u, time %u",
             r->group, r->rep);
}

static sgxra_err check_overlaps(sgxra_ctx *cx, const sgxra_sdk_meta *m) {
  const uint8_t *tab = m->head.record + m->head.layout_offset;
  size_t cap = 64, n = 0;
  range *v = malloc(cap * sizeof *v);
  if (!v) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  sgxra_err e = SGXRA_OK;
  for (uint32_t i = 0; i < m->nlayout && !e; i++) {
    const uint8_t *t = tab + (size_t)i * SGXRA__SDK_ENTRY;
    uint16_t id = sgxra__le16(t);
    uint32_t first = i, last = i + 1, times = 1, group = UINT32_MAX;
    uint64_t step = 0;
    if (id & SGXRA_SDK_GROUP_FLAG) {
      first = i - sgxra__le16(t + 2); /* checked: <= i, plain entries */
      last = i;
      times = sgxra__le32(t + 4);
      step = sgxra__le64(t + 8);
      group = i;
      /* A step-0 group puts every repetition at one place: two of them
       * show the overlap if its entries have pages, one is all there is
       * to check if they have none. */
      if (step == 0 && times > 1) {
        int pages = 0;
        for (uint32_t k = first; k < last; k++)
          pages |= sgxra__le32(tab + (size_t)k * SGXRA__SDK_ENTRY + 4) != 0;
        times = pages ? 2 : 1;
      }
    }
    uint64_t delta = 0;
    for (uint32_t j = 1; j <= times && !e; j++) {
      delta += step;
      for (uint32_t k = first; k < last; k++) {
        if (n == OVERLAP_MAX_RANGES) {
          e = sgxra__fail(cx, SGXRA_E_SGXMETA_UNSUPPORTED,
                          "metadata %u.%u: the layout table expands to "
                          "more than %u entries (group entry %u repeats "
                          "%u times)",
                          m->head.version_major, m->head.version_minor,
                          OVERLAP_MAX_RANGES, i, times);
          break;
        }
        if (n == cap) {
          range *w = realloc(v, 2 * cap * sizeof *v);
          if (!w) {
            e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
            break;
          }
          v = w;
          cap *= 2;
        }
        const uint8_t *r = tab + (size_t)k * SGXRA__SDK_ENTRY;
        v[n].rva = sgxra__le64(r + 8) + delta; /* in range: checked */
        v[n].bytes = (uint64_t)sgxra__le32(r + 4) * PAGE;
        v[n].entry = k;
        v[n].group = group;
        v[n].rep = j;
        n++;
      }
    }
  }
  if (!e && n > 1) {
    qsort(v, n, sizeof *v, range_cmp);
    for (size_t i = 0; i + 1 < n; i++) {
      if (v[i].rva + v[i].bytes <= v[i + 1].rva) continue;
      char a[128], b[128];
      range_name(m, &v[i], a, sizeof a);
      range_name(m, &v[i + 1], b, sizeof b);
      e = sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                      "metadata %u.%u: %s at [0x%llx, 0x%llx) overlaps %s "
                      "at rva 0x%llx (Intel's loader refuses overlapping "
                      "layout entries)",
                      m->head.version_major, m->head.version_minor, a,
                      (unsigned long long)v[i].rva,
                      (unsigned long long)(v[i].rva + v[i].bytes), b,
                      (unsigned long long)v[i + 1].rva);
      break;
    }
  }
  free(v);
  return e;
}

/* The lowest nonzero record offset the record refers to: its two tables,
 * every patch source, every layout content (the TCS template comes first
 * in the data area).  Tables are already checked to lie in the record. */
static uint32_t lowest_data(const sgxra_sdk_meta *m) {
  uint32_t lo = UINT32_MAX;
  const uint8_t *r = m->head.record;
  uint32_t offs[2] = {m->head.patch_offset, m->head.layout_offset};
  for (unsigned i = 0; i < 2; i++)
    if (offs[i] && offs[i] < lo) lo = offs[i];
  for (uint32_t i = 0; i < m->head.patch_size / SGXRA__SDK_ENTRY; i++) {
    uint32_t src = sgxra__le32(r + m->head.patch_offset +
                               (size_t)i * SGXRA__SDK_ENTRY + 8);
    if (src && src < lo) lo = src;
  }
  for (uint32_t i = 0; i < m->head.layout_size / SGXRA__SDK_ENTRY; i++) {
    const uint8_t *t = r + m->head.layout_offset + (size_t)i * SGXRA__SDK_ENTRY;
    uint32_t coff = sgxra__le32(t + 20);
    if (!(sgxra__le16(t) & SGXRA_SDK_GROUP_FLAG) && coff && coff < lo)
      lo = coff;
  }
  return lo;
}

/* Decode and check the record at r (rlen bytes available). */
static sgxra_err open_copy(sgxra_ctx *cx, const uint8_t *file, size_t file_len,
                           const uint8_t *r, sgxra_sdk_meta *m) {
  sgxra__sgxmeta_decode(r, &m->head);
  m->file_offset = (uint64_t)(r - file);
  sgxra_err e;
  if ((e = check_table(cx, m, "patch", m->head.patch_offset,
                       m->head.patch_size)) ||
      (e = check_table(cx, m, "layout", m->head.layout_offset,
                       m->head.layout_size)))
    return e;
  m->ndirs = 2;
  if (m->head.size >= SGXRA__SGXMETA_DATA4 &&
      lowest_data(m) >= SGXRA__SGXMETA_DATA4) {
    m->ndirs = 4;
    m->elrange_offset = sgxra__le32(r + SGXRA__SGXMETA_DATA2);
    m->elrange_size = sgxra__le32(r + SGXRA__SGXMETA_DATA2 + 4);
    m->extend_offset = sgxra__le32(r + SGXRA__SGXMETA_DATA2 + 8);
    m->extend_size = sgxra__le32(r + SGXRA__SGXMETA_DATA2 + 12);
    if ((e = check_table(cx, m, "ELRANGE", m->elrange_offset,
                         m->elrange_size)) ||
        (e = check_table(cx, m, "EXTEND", m->extend_offset, m->extend_size)))
      return e;
  }
  m->npatches = m->head.patch_size / SGXRA__SDK_ENTRY;
  m->nlayout = m->head.layout_size / SGXRA__SDK_ENTRY;
  if ((e = check_patches(cx, m, file_len)) || (e = check_layout(cx, m)) ||
      (e = check_overlaps(cx, m)))
    return e;
  uint32_t major = m->head.version_major % 10;
  m->loadable = major != 2 && major <= 3;
  return SGXRA_OK;
}

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

static sgxra_err sdk_open(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          sgxra_sdk_enclave *out) {
  sgxra__elf_section sec;
  sgxra_err e = sgxra__sgxmeta_section(cx, p, n, "", &sec);
  if (e) return e;
  out->file = p;
  out->file_len = n;
  out->note_offset = sec.offset;
  out->note_size = sec.size;
  if (all_zero(sec.bytes, (size_t)sec.size))
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "unsigned SDK enclave: its .note.sgxmeta (%llu bytes "
                       "at file offset 0x%llx) is all zero; sign it with "
                       "sgx_sign (or `sgxra sign`) first",
                       (unsigned long long)sec.size,
                       (unsigned long long)sec.offset);
  const uint8_t *desc;
  uint32_t descsz;
  if ((e = sgxra__sgxmeta_note(cx, sec.bytes, (size_t)sec.size, &desc,
                               &descsz)))
    return e;
  if (descsz >= 8 && sgxra__le64(desc) != SGXRA_SGXMETA_MAGIC &&
      all_zero(desc, descsz))
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       "unsigned SDK enclave: the %u-byte metadata of its "
                       ".note.sgxmeta is all zero; sign it with sgx_sign (or "
                       "`sgxra sign`) first",
                       descsz);
  size_t off = 0;
  while (descsz - off >= 8 && sgxra__le64(desc + off) == SGXRA_SGXMETA_MAGIC) {
    size_t left = descsz - off;
    size_t at = SGXRA__SGXMETA_NOTE_DESC + off;
    if (left < SGXRA__SGXMETA_DATA2)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         ".note.sgxmeta truncated: metadata record at note "
                         "offset %zu needs at least %d bytes, only %zu remain",
                         at, SGXRA__SGXMETA_DATA2, left);
    uint32_t size = sgxra__le32(desc + off + 16);
    if (size < SGXRA__SGXMETA_DATA2 || size > left)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         ".note.sgxmeta: metadata record at note offset %zu "
                         "declares size %u, outside %d..%zu (its fixed part "
                         "to the end of the note)",
                         at, size, SGXRA__SGXMETA_DATA2, left);
    if (out->ncopies == SGXRA_SDK_MAX_COPIES)
      return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                         ".note.sgxmeta holds more than %d metadata records",
                         SGXRA_SDK_MAX_COPIES);
    sgxra_sdk_meta *m = &out->copies[out->ncopies];
    if ((e = open_copy(cx, p, n, desc + off, m)))
      return sgxra__context(cx, e, ".note.sgxmeta record %u (note offset %zu)",
                            out->ncopies, at);
    out->ncopies++;
    off += size;
  }
  if (out->ncopies == 0) {
    uint64_t magic = descsz >= 8 ? sgxra__le64(desc) : 0;
    return sgxra__fail(cx, SGXRA_E_SGXMETA_FORMAT,
                       ".note.sgxmeta: no metadata record: magic at offset "
                       "25 is 0x%016llx, expected 0x%016llx",
                       (unsigned long long)magic,
                       (unsigned long long)SGXRA_SGXMETA_MAGIC);
  }
  /* The loader's choice: the highest version it considers (by the raw
   * u64 major << 32 | minor), else sgxra's fallback: the highest. */
  int have = 0;
  uint64_t best = 0;
  for (unsigned pass = 0; pass < 2 && !have; pass++)
    for (unsigned i = 0; i < out->ncopies; i++) {
      const sgxra_sdk_meta *m = &out->copies[i];
      if (pass == 0 && !m->loadable) continue;
      uint64_t v =
          (uint64_t)m->head.version_major << 32 | m->head.version_minor;
      if (!have || v > best) {
        have = 1;
        best = v;
        out->selected = i;
      }
    }
  return SGXRA_OK;
}

sgxra_err sgxra_sdk_open(sgxra_ctx *cx, const uint8_t *p, size_t n,
                         sgxra_sdk_enclave *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sdk_open: the output is NULL");
  memset(out, 0, sizeof *out);
  if (!p && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SDK enclave: input is NULL but its length is %zu", n);
  sgxra_err e = sdk_open(cx, p, n, out);
  if (e) memset(out, 0, sizeof *out);
  return e;
}

/* ---- summary -------------------------------------------------------------
 */

enum kind { K_OTHER, K_HEAP, K_HEAP_MAXONLY, K_SSA, K_STACK_MAX, K_STACK_MIN };

static enum kind kind_of(int numbering, uint16_t id) {
  if (numbering == 1) switch (id) {
    case 1:
      return K_HEAP;
    case 4:
      return K_SSA;
    case 5:
      return K_STACK_MIN; /* the whole stack, EADDed */
    default:
      return K_OTHER;
    }
  if (numbering == 2) switch (id) {
    case 1:
    case 2:
      return K_HEAP;
    case 3:
      return K_HEAP_MAXONLY;
    case 6:
      return K_SSA;
    case 7:
      return K_STACK_MAX;
    case 8:
      return K_STACK_MIN;
    default:
      return K_OTHER;
    }
  return K_OTHER;
}

sgxra_err sgxra_sdk_summarize(sgxra_ctx *cx, const sgxra_sdk_enclave *e,
                              unsigned copy, sgxra_sdk_summary *out) {
  if (!out || !e)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sdk_summarize: NULL argument");
  memset(out, 0, sizeof *out);
  if (copy >= e->ncopies)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SDK enclave: copy %u asked for, it has %u metadata "
                       "copies",
                       copy, e->ncopies);
  const sgxra_sdk_meta *m = &e->copies[copy];
  out->version_major = m->head.version_major;
  out->version_minor = m->head.version_minor;
  out->enclave_size = m->head.enclave_size;
  out->ssa_frame_size = m->head.ssa_frame_size;
  out->tcs_policy = m->head.tcs_policy;
  out->tcs_min_pool = m->head.tcs_min_pool;
  out->misc_select = m->head.desired_misc_select;
  out->attributes = m->head.attributes;
  const uint8_t *tab = m->head.record + m->head.layout_offset;
  /* Every SDK lays a thread out as stack, guard, TCS, SSA, guard, TD:
   * the stack entries before the first TCS and the first SSA entry give
   * the per-thread sizes.  TCS counts include every group repetition. */
  int tcs_seen = 0, ssa_seen = 0;
  uint32_t ssa_pages = 0;
  for (uint32_t i = 0; i < m->nlayout; i++) {
    const uint8_t *t = tab + (size_t)i * SGXRA__SDK_ENTRY;
    uint16_t id = sgxra__le16(t);
    if (id & SGXRA_SDK_GROUP_FLAG) {
      uint16_t count = sgxra__le16(t + 2);
      uint32_t times = sgxra__le32(t + 4);
      for (uint32_t k = i - count; k < i; k++) {
        const uint8_t *r = tab + (size_t)k * SGXRA__SDK_ENTRY;
        uint16_t a = sgxra__le16(r + 2);
        uint64_t pages = (uint64_t)sgxra__le32(r + 4) * times;
        if (sgxra__le64(r + 24) == SGXRA_SECINFO_PT_TCS) {
          if (a & SGXRA_SDK_PAGE_EADD)
            out->tcs_static += (uint32_t)pages;
          else if (a & SGXRA_SDK_PAGE_POST_ADD)
            out->tcs_dynamic += (uint32_t)pages;
        }
      }
      continue;
    }
    uint16_t a = sgxra__le16(t + 2);
    uint64_t pages = sgxra__le32(t + 4);
    if (sgxra__le64(t + 24) == SGXRA_SECINFO_PT_TCS) {
      tcs_seen = 1;
      if (a & SGXRA_SDK_PAGE_EADD)
        out->tcs_static += (uint32_t)pages;
      else if (a & SGXRA_SDK_PAGE_POST_ADD)
        out->tcs_dynamic += (uint32_t)pages;
      continue;
    }
    switch (kind_of(m->id_numbering, id)) {
    case K_HEAP:
      if (a & SGXRA_SDK_PAGE_EADD) out->heap_init += pages * PAGE;
      out->heap_max += pages * PAGE;
      break;
    case K_HEAP_MAXONLY:
      out->heap_max += pages * PAGE;
      break;
    case K_SSA:
      if (!ssa_seen) ssa_pages = (uint32_t)pages;
      ssa_seen = 1;
      break;
    case K_STACK_MAX:
    case K_STACK_MIN:
      if (!tcs_seen) {
        out->stack_max += pages * PAGE;
        if (a & SGXRA_SDK_PAGE_EADD) out->stack_min += pages * PAGE;
      }
      break;
    default:
      break;
    }
  }
  if (m->head.ssa_frame_size) out->nssa = ssa_pages / m->head.ssa_frame_size;
  return SGXRA_OK;
}

sgxra_err sgxra_sdk_set_sigstruct(sgxra_ctx *cx, const sgxra_sdk_enclave *e,
                                  const uint8_t sigstruct[SGXRA_SIGSTRUCT_SIZE],
                                  uint8_t *out_file, size_t out_len) {
  if (!e || !sigstruct || !out_file)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sdk_set_sigstruct: NULL argument");
  if (out_len != e->file_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SDK enclave: the output file is %zu bytes, the "
                       "enclave %zu: pass a copy of the opened file",
                       out_len, e->file_len);
  for (unsigned i = 0; i < e->ncopies; i++)
    memcpy(out_file + e->copies[i].file_offset + SGXRA__SGXMETA_HEAD, sigstruct,
           SGXRA_SIGSTRUCT_SIZE);
  return SGXRA_OK;
}
