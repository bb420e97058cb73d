/* Replays inputs through a fuzz target without libFuzzer: each argument is
 * a file or a folder of files.  ctest runs every target this way over its
 * seeds (the real vectors) and over fuzz/corpus/<target>/, where inputs
 * that once crashed are kept as regression tests.  Prints
 * "N passed, 0 failed"; a crash fails the test by itself.
 *
 * A seed path that does not exist means the shared vectors are missing:
 * the program exits 77 (ctest: Skipped), or fails when
 * SGXRA_REQUIRE_VECTORS=1 (CI).  Paths after "--optional" (the corpus
 * folder) may be absent. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t ran;

static void run_file(const char *path, int prefix) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    exit(1);
  }
  uint8_t *buf = malloc((16u << 20) + 1);
  if (!buf) exit(1);
  size_t n = fread(buf + 1, 1, 16u << 20, f);
  fclose(f);
  if (prefix >= 0) {
    /* Seeds for selector-byte targets: try the file under every selector. */
    for (int sel = 0; sel < prefix; sel++) {
      buf[0] = (uint8_t)sel;
      LLVMFuzzerTestOneInput(buf, n + 1);
      ran++;
    }
  } else {
    LLVMFuzzerTestOneInput(buf + 1, n);
    ran++;
  }
  free(buf);
}

static void run_path(const char *path, int prefix) {
  struct stat st;
  if (stat(path, &st) != 0) return; /* an absent corpus folder is fine */
  if (!S_ISDIR(st.st_mode)) {
    run_file(path, prefix);
    return;
  }
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
    run_path(sub, prefix);
  }
  closedir(d);
}

int main(int argc, char **argv) {
  /* "--selectors N": following seed files are tried under N selector
   * bytes; "--raw": following files are passed as they are. */
  int prefix = -1, optional = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--optional")) {
      optional = 1;
      continue;
    }
    if (!strcmp(argv[i], "--selectors") && i + 1 < argc) {
      prefix = atoi(argv[++i]);
      continue;
    }
    if (!strcmp(argv[i], "--raw")) {
      prefix = -1;
      continue;
    }
    struct stat st;
    if (!optional && stat(argv[i], &st) != 0) {
      const char *req = getenv("SGXRA_REQUIRE_VECTORS");
      if (req && !strcmp(req, "1")) {
        fprintf(stderr, "replay: seeds %s missing (SGXRA_REQUIRE_VECTORS=1)\n",
                argv[i]);
        return 1;
      }
      printf("replay: seeds %s missing (shared vectors?): skipped\n", argv[i]);
      return 77;
    }
    run_path(argv[i], prefix);
  }
  printf("%zu passed, 0 failed\n", ran);
  return ran ? 0 : 1;
}
