/* Error codes of the registry storage, src/store (1000..1049).  Every
 * message names the database (its URL without a password).  Numbers are
 * never reused; a new code goes last. */
#define SGXRA_ERRORS_STORE(X)                                                  \
  X(STORE_URL, 1000,                                                           \
    "invalid database URL (expected sqlite:PATH or postgresql://...)")         \
  X(STORE_OPEN, 1001, "cannot open or connect to the database")                \
  X(STORE_NOT_DATABASE, 1002, "file is not a database")                        \
  X(STORE_READ_ONLY, 1003, "database is read-only")                            \
  X(STORE_SCHEMA_NEWER, 1004, "database schema is newer than this build")      \
  X(STORE_CONNECTION, 1005, "database server connection lost")                 \
  X(STORE_DUPLICATE, 1006, "entry already exists")                             \
  X(STORE_NOT_FOUND, 1007, "no such entry")                                    \
  X(STORE_AUDIT_BROKEN, 1008, "audit chain is broken")                         \
  X(STORE_BUSY, 1009, "database busy: lock wait timed out")                    \
  X(STORE_DB, 1010, "database error")
