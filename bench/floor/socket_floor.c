/*
 * The kernel's price of one delivery on this machine, without any gateway: a writer that does
 * nothing but write(2) one ready 350-byte WebSocket frame to each member socket, paced like the
 * side-by-side scenario (100 members per node and message, 20,000 writes/s), and a reader process
 * on the other end of 1,000 loopback TCP connections. Prints the writer's user and system CPU per
 * write. Build and run: bench/floor/run.sh
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CONNS = 1000, FRAME = 350, FANOUT = 100 };

static double seconds(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

static void reader(int port, long expected) {
    int ep = epoll_create1(0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    for (int i = 0; i < CONNS; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); exit(1); }
        struct epoll_event e = { .events = EPOLLIN, .data.fd = s };
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
    }
    char buf[65536];
    struct epoll_event ev[256];
    long got = 0;
    while (got < expected) {
        int n = epoll_wait(ep, ev, 256, 5000);
        if (n <= 0) break;
        for (int i = 0; i < n; i++) {
            ssize_t r = read(ev[i].data.fd, buf, sizeof buf);
            if (r > 0) got += r;
        }
    }
    exit(got == expected ? 0 : 2);
}

int main(int argc, char **argv) {
    long writes = argc > 1 ? atol(argv[1]) : 400000;
    long rounds = writes / FANOUT;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t len = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, CONNS) || getsockname(l, (struct sockaddr *)&a, &len)) {
        perror("listen");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) reader(ntohs(a.sin_port), rounds * FANOUT * (long)FRAME);
    int fds[CONNS], one = 1;
    for (int i = 0; i < CONNS; i++) {
        fds[i] = accept(l, NULL, NULL);
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    char frame[FRAME];
    memset(frame, 'x', sizeof frame);
    struct rusage r0, r1;
    struct timespec pace = { 0, 5000000 }; /* 100 writes per 5 ms: 20,000 writes/s */
    getrusage(RUSAGE_SELF, &r0);
    for (long r = 0; r < rounds; r++) {
        for (int m = 0; m < FANOUT; m++) {
            int fd = fds[(r * FANOUT + m) % CONNS];
            if (write(fd, frame, FRAME) != FRAME) { perror("write"); return 1; }
        }
        nanosleep(&pace, NULL);
    }
    getrusage(RUSAGE_SELF, &r1);
    int status;
    waitpid(child, &status, 0);
    double user = seconds(r1.ru_utime) - seconds(r0.ru_utime), sys = seconds(r1.ru_stime) - seconds(r0.ru_stime);
    printf("{\"writes\":%ld,\"bytes_per_write\":%d,\"user_us_per_write\":%.2f,\"sys_us_per_write\":%.2f,\"reader_ok\":%s}\n",
           rounds * FANOUT, FRAME, user * 1e6 / (rounds * FANOUT), sys * 1e6 / (rounds * FANOUT),
           WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "true" : "false");
    return 0;
}
