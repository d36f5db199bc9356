/* A test-only LD_PRELOAD library: any connect() or sendto() to an IPv4 or IPv6 address prints who
 * tried, and where, and ends the process with exit code 97, so a network attempt cannot hide behind
 * a program's error handling. Local (AF_UNIX) sockets pass through. Used by the offline suite. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { tripped_exit_code = 97 };

static int is_network_address(const struct sockaddr *address) {
    return address != NULL && (address->sa_family == AF_INET || address->sa_family == AF_INET6);
}

static void trip(const char *call, const struct sockaddr *address) {
    char where[INET6_ADDRSTRLEN] = "?";
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)address)->sin_addr, where, sizeof where);
    else
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)address)->sin6_addr, where, sizeof where);
    char program[256] = "?";
    const ssize_t length = readlink("/proc/self/exe", program, sizeof program - 1);
    if (length > 0) program[length] = '\0';
    char line[512];
    const int size = snprintf(line, sizeof line, "dubhost network tripwire: %s (pid %d) called %s() to %s\n", program,
                              (int)getpid(), call, where);
    if (size > 0) (void)!write(STDERR_FILENO, line, (size_t)size < sizeof line ? (size_t)size : sizeof line - 1);
    _exit(tripped_exit_code);
}

int connect(int socket, const struct sockaddr *address, socklen_t length) {
    if (is_network_address(address)) trip("connect", address);
    int (*real_connect)(int, const struct sockaddr *, socklen_t) =
        (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    return real_connect(socket, address, length);
}

ssize_t sendto(int socket, const void *buffer, size_t size, int flags, const struct sockaddr *address, socklen_t length) {
    if (is_network_address(address)) trip("sendto", address);
    ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t) =
        (ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "sendto");
    return real_sendto(socket, buffer, size, flags, address, length);
}
