// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Confinement once set up (docs/vdevkit-cryptod.md, "Security"): the
 * daemon drops to an unprivileged user after it has made its socket and
 * opened its provider (/dev/crypto stays open; AF_ALG sockets and OpenSSL
 * need no privilege), sets PR_SET_NO_NEW_PRIVS, and installs a seccomp
 * filter that allows only the system calls serving a front end needs.
 * Anything else kills the whole process (SIGSYS) or, with --seccomp
 * errno, fails with EPERM.
 *
 * The filter is classic BPF written here (no libseccomp): the
 * architecture is checked first (x86-64 without x32 numbers, or aarch64),
 * then the system call number against the allow-list, three of them with
 * their arguments looked at: clone only for threads (CLONE_THREAD: no
 * fork), socket only for AF_ALG (and AF_UNIX when logging to syslog,
 * whose socket glibc may have to reopen), ioctl only for cryptodev-linux's
 * 'c' requests and only with the devcrypto provider.  clone3 fails with
 * ENOSYS, which makes glibc fall back to clone, whose flags we can see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "cryptod.h"

#if defined(__x86_64__)
#define OUR_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define OUR_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp filter: x86-64 and aarch64 only"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define CD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CD_ASAN 1
#endif
#endif

/* After setup: serving the socket, the rings' threads, the providers. */
static const int allowed[] = {
    /* the vhost-user socket, eventfds, log file, AF_ALG operations */
    SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_recvmsg, SYS_sendmsg,
    SYS_recvfrom, SYS_sendto, SYS_accept4, SYS_close, SYS_ppoll,
#ifdef SYS_poll
    SYS_poll,
#endif
    /* AF_ALG sessions: the transform socket is bound and keyed */
    SYS_bind, SYS_setsockopt,
    /* guest memory (memfds from the front end), malloc, thread stacks */
    SYS_mmap, SYS_munmap, SYS_mprotect, SYS_madvise, SYS_mremap, SYS_brk,
    SYS_fstat, SYS_newfstatat,
    /* threads: glibc's pthread_create, join and exit; locks */
    SYS_futex, SYS_set_robust_list, SYS_rseq, SYS_exit, SYS_exit_group,
    SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_rt_sigaction, SYS_sigaltstack,
    SYS_gettid, SYS_getpid, SYS_tgkill, SYS_sched_yield, SYS_restart_syscall,
    SYS_sched_getaffinity,
    /* adaptive polling's clock (vDSO, else these) */
    SYS_clock_gettime, SYS_clock_nanosleep, SYS_nanosleep,
    SYS_gettimeofday, SYS_getrandom,
    /*
     * glibc's qsort() (the provider library's overlap check of a request
     * in many pieces) asks for the memory size once, through sysinfo
     */
    SYS_sysinfo,
    /* the socket file at exit (unlink or unlinkat, by architecture) */
#ifdef SYS_unlink
    SYS_unlink,
#endif
    SYS_unlinkat,
#ifdef CD_ASAN
    /*
     * The sanitizer runtime of the test build (never the installed one):
     * LeakSanitizer at exit stops the threads from a ptrace()ing helper
     * and reads /proc; reports read /proc/self/maps.
     */
    SYS_ptrace, SYS_wait4, SYS_prctl, SYS_openat, SYS_getdents64,
    SYS_readlinkat, SYS_getppid, SYS_pread64, SYS_lseek,
#ifdef SYS_open
    SYS_open,
#endif
#ifdef SYS_readlink
    SYS_readlink,
#endif
#ifdef SYS_getdents
    SYS_getdents,
#endif
#endif
};

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
                       offsetof(struct seccomp_data, nr))
#define LD_ARG(n) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
                           offsetof(struct seccomp_data, args[n]))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
/* if A == k go on, else skip the next skip instructions */
#define IF_EQ(k, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, (skip))

typedef struct Prog {
    struct sock_filter f[160];
    unsigned n;
} Prog;

static void emit(Prog *p, struct sock_filter s)
{
    if (p->n < sizeof(p->f) / sizeof(p->f[0])) {
        p->f[p->n] = s;
    }
    p->n++;
}

int cd_seccomp(const Daemon *d)
{
    const Options *o = &d->opt;
    uint32_t deny = o->seccomp == SECCOMP_MODE_ERRNO ?
                    SECCOMP_RET_ERRNO | EPERM : SECCOMP_RET_KILL_PROCESS;
    struct sock_fprog fp;
    Prog p = { .n = 0 };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        cd_log(LOG_ERR_, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    if (o->seccomp == SECCOMP_MODE_NONE) {
        return 0;
    }
    /*
     * One malloc arena: glibc's per-thread arenas, when they shrink, read
     * /proc/sys/vm/overcommit_memory the first time.  Our threads malloc
     * only when they set up, so they lose nothing by sharing it.
     */
    mallopt(M_ARENA_MAX, 1);
    emit(&p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
             offsetof(struct seccomp_data, arch)));
    emit(&p, (struct sock_filter)IF_EQ(OUR_ARCH, 1));
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0));
    emit(&p, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
    emit(&p, (struct sock_filter)LD_NR);
#ifdef __x86_64__
    /* x32 numbers are the same calls under another number: refuse */
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                          0x40000000u, 0, 1));
    emit(&p, (struct sock_filter)RET(deny));
#endif
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        emit(&p, (struct sock_filter)IF_EQ(allowed[i], 1));
        emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    }
    /* each block below ends in a return: A may be reloaded inside */
    emit(&p, (struct sock_filter)IF_EQ(SYS_clone3, 1));
    emit(&p, (struct sock_filter)RET(SECCOMP_RET_ERRNO | ENOSYS));
#ifdef CD_ASAN
    emit(&p, (struct sock_filter)IF_EQ(SYS_clone, 6));
#else
    emit(&p, (struct sock_filter)IF_EQ(SYS_clone, 4));
#endif
    emit(&p, (struct sock_filter)LD_ARG(0));
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
                                          CLONE_THREAD, 0, 1));
    emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
#ifdef CD_ASAN
    /* LeakSanitizer's helper is a clone sharing our memory, not a fork */
    emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
                                          CLONE_VM, 0, 1));
    emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
#endif
    emit(&p, (struct sock_filter)RET(deny));
    emit(&p, (struct sock_filter)IF_EQ(SYS_socket, o->log_syslog ? 6 : 4));
    emit(&p, (struct sock_filter)LD_ARG(0));
    emit(&p, (struct sock_filter)IF_EQ(AF_ALG, 1));
    emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    if (o->log_syslog) {
        emit(&p, (struct sock_filter)IF_EQ(AF_UNIX, 1));
        emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    }
    emit(&p, (struct sock_filter)RET(deny));
    if (o->log_syslog) {
        emit(&p, (struct sock_filter)IF_EQ(SYS_connect, 1));
        emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
    }
    if (d->hc->fd >= 0) {
        /* devcrypto: CIOCGSESSION, CIOCFSESSION, CIOCCRYPT, ... */
        emit(&p, (struct sock_filter)IF_EQ(SYS_ioctl, 5));
        emit(&p, (struct sock_filter)LD_ARG(1));
        emit(&p, (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K,
                                              0xff00));
        emit(&p, (struct sock_filter)IF_EQ('c' << 8, 1));
        emit(&p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
        emit(&p, (struct sock_filter)RET(deny));
    }
    emit(&p, (struct sock_filter)RET(deny));
    if (p.n > sizeof(p.f) / sizeof(p.f[0])) {
        cd_log(LOG_ERR_, "seccomp: filter of %u instructions too long", p.n);
        return -1;
    }
    fp.len = p.n;
    fp.filter = p.f;
    /* TSYNC: the worker pool's threads, if started, get it too */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                SECCOMP_FILTER_FLAG_TSYNC, &fp) != 0) {
        cd_log(LOG_ERR_, "seccomp: %s", strerror(errno));
        return -1;
    }
    cd_log(LOG_DEBUG_, "seccomp: %u-instruction filter, others %s", p.n,
           o->seccomp == SECCOMP_MODE_ERRNO ? "EPERM" : "killed");
    return 0;
}

/* A name or a number: 0, or -1 if there is no such user or group. */
static int lookup_id(const char *s, bool group, uid_t *id, gid_t *pgid)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (*s && !*end && !errno && v < 0xffffffffu) {
        struct passwd *pw = group ? NULL : getpwuid(v);

        *id = v;
        if (pgid) {
            *pgid = pw ? pw->pw_gid : (gid_t)v;
        }
        return 0;
    }
    if (group) {
        struct group *gr = getgrnam(s);

        if (!gr) {
            return -1;
        }
        *id = gr->gr_gid;
    } else {
        struct passwd *pw = getpwnam(s);

        if (!pw) {
            return -1;
        }
        *id = pw->pw_uid;
        *pgid = pw->pw_gid;
    }
    return 0;
}

/*
 * --user/--group: give the socket to them (so a front end running as
 * them, or in the group, may connect), then become them for good.
 */
int cd_drop_privileges(const Options *o)
{
    uid_t uid = getuid();
    gid_t gid = getgid(), g;

    if (!o->user && !o->group) {
        return 0;
    }
    if (o->user && lookup_id(o->user, false, &uid, &gid) < 0) {
        cd_log(LOG_ERR_, "--user %s: no such user", o->user);
        return -1;
    }
    if (o->group && lookup_id(o->group, true, &g, NULL) < 0) {
        cd_log(LOG_ERR_, "--group %s: no such group", o->group);
        return -1;
    }
    if (o->group) {
        gid = g;
    }
    if (geteuid() == 0 &&
        (chown(o->socket, uid, gid) < 0 || chmod(o->socket, 0660) < 0)) {
        cd_log(LOG_ERR_, "socket %s: %s", o->socket, strerror(errno));
        return -1;
    }
    /* supplementary groups first, while we may still change them */
    if ((geteuid() == 0 && setgroups(0, NULL) < 0) ||
        setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
        cd_log(LOG_ERR_, "becoming uid %u gid %u: %s", (unsigned)uid,
               (unsigned)gid, strerror(errno));
        return -1;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        cd_log(LOG_ERR_, "uid %u could get root back", (unsigned)uid);
        return -1;
    }
    cd_log(LOG_INFO_, "running as uid %u gid %u", (unsigned)uid,
           (unsigned)gid);
    return 0;
}

/*
 * --x-escape WHAT (tests only, not in --help): a data queue's thread,
 * once running under the filter, tries what a compromised daemon would.
 * Refused: logged, and the daemon goes on.  Allowed: the daemon exits 3
 * (execve, if it works, becomes /bin/true and exits 0), so a test sees
 * the filter missing either way.
 */
void cd_escape_test(const Options *o)
{
    static atomic_bool done;
    const char *w = o->escape;
    int r;

    if (!w || atomic_exchange(&done, true)) {
        return;
    }
    if (!strcmp(w, "execve")) {
        char *const argv[] = { (char *)"/bin/true", NULL };

        r = execve(argv[0], argv, argv + 1);
    } else if (!strcmp(w, "open")) {
        r = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    } else if (!strcmp(w, "socket")) {
        r = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    } else if (!strcmp(w, "fork")) {
        r = fork();
        if (r == 0) {
            _exit(0);
        }
    } else {
        cd_log(LOG_ERR_, "escape test: %s unknown", w);
        return;
    }
    if (r >= 0) {
        cd_log(LOG_ERR_, "escape test: %s allowed", w);
        _exit(3);
    }
    cd_log(LOG_INFO_, "escape test: %s refused: %s", w, strerror(errno));
}
