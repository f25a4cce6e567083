// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vdevkit-cryptod: command line, logging, the listening socket and the
 * daemon's life (docs/vdevkit-cryptod.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cryptod.h"

volatile sig_atomic_t cd_quit;
volatile sig_atomic_t cd_stats;

static int log_level = LOG_INFO_;
static FILE *log_file;
static bool log_syslog;

void cd_log(int level, const char *fmt, ...)
{
    va_list ap;

    if (level > log_level) {
        return;
    }
    va_start(ap, fmt);
    if (log_syslog) {
        vsyslog(level == LOG_ERR_ ? LOG_ERR :
                level == LOG_INFO_ ? LOG_INFO : LOG_DEBUG, fmt, ap);
    } else {
        FILE *f = log_file ? log_file : stderr;

        flockfile(f);
        fprintf(f, "vdevkit-cryptod: ");
        vfprintf(f, fmt, ap);
        fputc('\n', f);
        fflush(f);
        funlockfile(f);
    }
    va_end(ap);
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: vdevkit-cryptod --socket PATH [options]\n"
"A vhost-user back end for virtio-crypto: QEMU's\n"
"  -object cryptodev-vhost-user,id=c0,chardev=ch0\n"
"  -chardev socket,id=ch0,path=PATH\n"
"hands it the device's data queues and crypto sessions.\n"
"\n"
"  --socket PATH        listen on this UNIX socket (made, and removed at exit)\n"
"  --provider NAME      openssl, afalg, devcrypto or auto (default: auto)\n"
"  --queues N           data queues offered (default 8, at most 256)\n"
"  --max-sessions N     open sessions at once (default 1024)\n"
"  --max-len BYTES      longest request's data (default 16777216)\n"
"  --poll-us N          poll a queue N microseconds after activity before\n"
"                       sleeping on its kick (default 50, at most 100000)\n"
"  --poll               never sleep: poll the queues all the time\n"
"  --workers N          a pool of N threads for big requests (default 0:\n"
"                       each queue's thread runs all of its requests)\n"
"  --pool-min BYTES     requests of this many bytes of buffers or more go\n"
"                       to the pool (default 65536)\n"
"  --user USER          once the socket and provider are open, run as USER\n"
"                       (name or uid; the socket is given to USER, 0660)\n"
"  --group GROUP        ... and GROUP (default: USER's primary group)\n"
"  --seccomp MODE       system calls beyond what serving needs: kill\n"
"                       (default: the process dies of SIGSYS), errno\n"
"                       (they fail with EPERM) or off\n"
"  --foreground         stay in the foreground (else detach once listening)\n"
"  --log DEST           stderr (default), syslog, or a file to append to\n"
"  -v, --verbose        more log (twice: every message)\n"
"  -h, --help           this text\n"
"SIGTERM or SIGINT: close every session, remove the socket, exit 0.\n"
"SIGUSR1: log the open sessions (\"stats: sessions open N ...\").\n");
}

static int parse_uint(const char *s, unsigned long long max,
                      unsigned long long *v)
{
    char *end;

    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno || end == s || *end || *s == '-' || *v > max ? -1 : 0;
}

static void on_signal(int sig)
{
    (void)sig;
    cd_quit = 1;
}

static void on_usr1(int sig)
{
    (void)sig;
    cd_stats = 1;
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        cd_log(LOG_ERR_, "socket path too long: %s", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    /* a socket left by an earlier run; never remove anything else */
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        cd_log(LOG_ERR_, "socket %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static void detach(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0) {
        cd_log(LOG_ERR_, "fork: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        _exit(0);
    }
    setsid();
    if (chdir("/") < 0) {
        cd_log(LOG_ERR_, "chdir /: %s", strerror(errno));
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        if (!log_file && !log_syslog) {
            dup2(fd, 2);
        }
        if (fd > 2) {
            close(fd);
        }
    }
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        { "socket", required_argument, NULL, 's' },
        { "provider", required_argument, NULL, 'p' },
        { "queues", required_argument, NULL, 'q' },
        { "max-sessions", required_argument, NULL, 'm' },
        { "max-len", required_argument, NULL, 'L' },
        { "poll-us", required_argument, NULL, 'u' },
        { "poll", no_argument, NULL, 'P' },
        { "workers", required_argument, NULL, 'w' },
        { "pool-min", required_argument, NULL, 'M' },
        { "user", required_argument, NULL, 'U' },
        { "group", required_argument, NULL, 'G' },
        { "seccomp", required_argument, NULL, 'S' },
        { "x-escape", required_argument, NULL, 'X' },
        { "foreground", no_argument, NULL, 'f' },
        { "log", required_argument, NULL, 'l' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { 0 }
    };
    static Daemon dm;
    Daemon *d = &dm;
    Options *o = &d->opt;
    struct sigaction sa = { .sa_handler = on_signal };
    HostCryptoError err;
    unsigned long long v;
    int c;

    o->provider = "auto";
    o->queues = 8;
    o->max_sessions = 1024;
    o->max_len = 16 << 20;
    o->poll_us = 50;
    o->pool_min = 65536;
    while ((c = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
        switch (c) {
        case 's':
            o->socket = optarg;
            break;
        case 'p':
            o->provider = optarg;
            break;
        case 'q':
            if (parse_uint(optarg, 256, &v) || !v) {
                goto bad_arg;
            }
            o->queues = v;
            break;
        case 'm':
            if (parse_uint(optarg, 1u << 20, &v) || !v) {
                goto bad_arg;
            }
            o->max_sessions = v;
            break;
        case 'L':
            if (parse_uint(optarg, UINT32_MAX, &v) || !v) {
                goto bad_arg;
            }
            o->max_len = v;
            break;
        case 'u':
            if (parse_uint(optarg, 100000, &v)) {
                goto bad_arg;
            }
            o->poll_us = v;
            break;
        case 'P':
            o->pure_poll = true;
            break;
        case 'w':
            if (parse_uint(optarg, 64, &v)) {
                goto bad_arg;
            }
            o->workers = v;
            break;
        case 'M':
            if (parse_uint(optarg, UINT32_MAX, &v)) {
                goto bad_arg;
            }
            o->pool_min = v;
            break;
        case 'U':
            o->user = optarg;
            break;
        case 'G':
            o->group = optarg;
            break;
        case 'S':
            if (!strcmp(optarg, "kill")) {
                o->seccomp = SECCOMP_MODE_KILL;
            } else if (!strcmp(optarg, "errno")) {
                o->seccomp = SECCOMP_MODE_ERRNO;
            } else if (!strcmp(optarg, "off")) {
                o->seccomp = SECCOMP_MODE_NONE;
            } else {
                goto bad_arg;
            }
            break;
        case 'X':
            o->escape = optarg;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'l':
            o->log = optarg;
            break;
        case 'v':
            o->verbose++;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc || !o->socket) {
        usage(stderr);
        return 2;
    }
    log_level = LOG_INFO_ + (o->verbose > 0);
    if (o->log && !strcmp(o->log, "syslog")) {
        log_syslog = o->log_syslog = true;
        /* connected now: the seccomp filter allows no new socket later */
        openlog("vdevkit-cryptod", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    } else if (o->log && strcmp(o->log, "stderr")) {
        log_file = fopen(o->log, "ae");
        if (!log_file) {
            fprintf(stderr, "vdevkit-cryptod: %s: %s\n", o->log,
                    strerror(errno));
            return 1;
        }
    }

    d->hc = hostcrypto_open(o->provider, &err);
    if (!d->hc) {
        cd_log(LOG_ERR_, "provider %s: %s", o->provider, err.msg);
        return 1;
    }
    d->vrings = calloc(o->queues, sizeof(*d->vrings));
    d->sess = calloc(o->max_sessions, sizeof(*d->sess));
    if (!d->vrings || !d->sess) {
        cd_log(LOG_ERR_, "out of memory");
        return 1;
    }
    pthread_rwlock_init(&d->sess_lock, NULL);
    for (unsigned i = 0; i < o->queues; i++) {
        Vring *vr = &d->vrings[i];

        vr->d = d;
        vr->index = i;
        vr->kick_fd = vr->call_fd = vr->err_fd = -1;
        pthread_mutex_init(&vr->used_lock, NULL);
        pthread_cond_init(&vr->idle, NULL);
        vr->stop_fd = eventfd(0, EFD_CLOEXEC);
        if (vr->stop_fd < 0) {
            cd_log(LOG_ERR_, "eventfd: %s", strerror(errno));
            return 1;
        }
    }

    /* no SA_RESTART: a signal ends the blocking accept or read */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    {
        /* taken only while waiting (wait_readable): never lost */
        sigset_t usr1;

        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    d->listen_fd = listen_on(o->socket);
    if (d->listen_fd < 0) {
        return 1;
    }
    if (cd_drop_privileges(o) < 0) {
        unlink(o->socket);
        return 1;
    }
    {
        char algs[256] = "";

        for (unsigned i = 0; i < HOSTCRYPTO_NALGS; i++) {
            if (d->hc->alg_ok[i] && strlen(algs) + 20 < sizeof(algs)) {
                strcat(algs, " ");
                strcat(algs, hostcrypto_algs[i].name);
            }
        }
        cd_log(LOG_INFO_, "listening on %s, provider %s, %u queues, "
               "algorithms:%s", o->socket, d->hc->prov->name, o->queues,
               algs);
    }
    if (!o->foreground) {
        detach();
    }
    /* the pool's threads get the filter too (TSYNC) */
    if (o->workers) {
        d->pool = pool_new(o->workers);
        if (!d->pool) {
            cd_log(LOG_ERR_, "cannot start %u workers", o->workers);
            unlink(o->socket);
            return 1;
        }
    }
    if (cd_seccomp(d) < 0) {
        unlink(o->socket);
        return 1;
    }

    while (!cd_quit) {
        int fd;

        if (wait_readable(d, d->listen_fd) < 0) {
            break;
        }
        fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED) {
                cd_log(LOG_ERR_, "accept: %s", strerror(errno));
                break;
            }
            continue;
        }
        cd_log(LOG_INFO_, "front end connected");
        vu_serve(d, fd);
        cd_log(LOG_INFO_, "front end gone; sessions created %lu, closed "
               "%lu, refused %lu", atomic_load(&d->sess_created),
               atomic_load(&d->sess_closed), atomic_load(&d->sess_failed));
    }
    {
        unsigned long reqs = 0, bad = 0, enc = 0, dec = 0, pooled = 0;

        for (unsigned i = 0; i < o->queues; i++) {
            reqs += atomic_load(&d->vrings[i].requests);
            bad += atomic_load(&d->vrings[i].bad_chains);
            enc += atomic_load(&d->vrings[i].enc_bytes);
            dec += atomic_load(&d->vrings[i].dec_bytes);
            pooled += atomic_load(&d->vrings[i].pooled);
            close(d->vrings[i].stop_fd);
        }
        vring_log_timing(d);
        cd_log(LOG_INFO_, "exiting: %lu requests (%lu in the worker pool), "
               "%lu malformed chains, bytes encrypted %lu decrypted %lu",
               reqs, pooled, bad, enc, dec);
    }
    pool_free(d->pool);
    close(d->listen_fd);
    unlink(o->socket);
    free(d->vrings);
    free(d->sess);
    hostcrypto_close(d->hc);
    return 0;

bad_arg:
    for (v = 0; lo[v].val != c; v++) {
        ;
    }
    fprintf(stderr, "vdevkit-cryptod: bad value for --%s: %s\n", lo[v].name,
            optarg);
    return 2;
}
