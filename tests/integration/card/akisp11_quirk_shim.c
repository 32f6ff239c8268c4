/* A PKCS#11 module with akisp11's C_Initialize quirk, wrapping a real module.
 *
 * Some akisp11 builds answer C_Initialize with CKR_ARGUMENTS_BAD when the caller
 * passes CK_C_INITIALIZE_ARGS with CKF_OS_LOCKING_OK. This shim forwards every call
 * to the module named by $QUIRK_SHIM_REAL_MODULE (SoftHSM2 in the tests) except that
 * one, so the loader's handling of the quirk is tested against a real token.
 */
#include <dlfcn.h>
#include <stdlib.h>

typedef unsigned long CK_RV;
typedef struct { unsigned char major, minor; } CK_VERSION;
typedef struct { CK_VERSION version; void *functions[68]; } FUNCTION_LIST;
typedef struct {
    void *create_mutex, *destroy_mutex, *lock_mutex, *unlock_mutex;
    unsigned long flags;
    void *reserved;
} INITIALIZE_ARGS;

#define CKR_ARGUMENTS_BAD 0x7UL
#define CKR_GENERAL_ERROR 0x5UL
#define CKF_OS_LOCKING_OK 0x2UL

static FUNCTION_LIST shim;
static CK_RV (*real_initialize)(void *);

static CK_RV quirky_initialize(void *args) {
    if (args != NULL && (((INITIALIZE_ARGS *)args)->flags & CKF_OS_LOCKING_OK))
        return CKR_ARGUMENTS_BAD;
    return real_initialize(args);
}

CK_RV C_GetFunctionList(FUNCTION_LIST **out) {
    const char *path = getenv("QUIRK_SHIM_REAL_MODULE");
    void *handle = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    CK_RV (*get)(FUNCTION_LIST **) = handle ? dlsym(handle, "C_GetFunctionList") : NULL;
    FUNCTION_LIST *real = NULL;
    if (get == NULL || get(&real) != 0 || real == NULL)
        return CKR_GENERAL_ERROR;
    shim = *real;
    real_initialize = (CK_RV (*)(void *))real->functions[0];
    shim.functions[0] = (void *)quirky_initialize;
    *out = &shim;
    return 0;
}
