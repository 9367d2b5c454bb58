# Hostile-client probe (issue 10): one connection per attempt against a running service
# started with GS_API_TOKEN=t0k and --read-timeout-ms 1000. Usage: python3 probe.py PORT
# Prints the first line of each answer; the access-log line of the injection attempt is in
# the server log. bench/RESULTS.md section 6 has the before/after table.
import socket, sys, time, subprocess, os
port=int(sys.argv[1])
def conn(t=3):
    s=socket.create_connection(("127.0.0.1",port)); s.settimeout(t); return s
def recv_all(s, limit=1<<20):
    out=b""
    try:
        while len(out)<limit:
            d=s.recv(65536)
            if not d: break
            out+=d
    except Exception as e:
        out+=b" <" + type(e).__name__.encode() + b">"
    return out
def first_line(b): return b.split(b"\r\n")[0][:80]
# 1 chunk extension
s=conn(); s.sendall(b"POST /v1/bars/X HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer t0k\r\nContent-Type: text/csv\r\n\r\n1;e=")
try:
    for i in range(64): s.sendall(b"a"*65536)
except Exception as e: print("send stopped:", e)
print("1 chunk-ext 4 MiB:", first_line(recv_all(s)))
# 2 smuggling
s=conn(); s.sendall(b"POST /v1/bars/X HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
r=recv_all(s); print("2 TE gzip: responses=", r.count(b"HTTP/1.1 "), first_line(r))
# 3 first head timeout (read timeout set to 1s, idle 75s)
s=conn(5); t=time.time(); r=recv_all(s); print("3 silent first connection closed after %.1fs" % (time.time()-t), r[:40])
# 4 auth after body
s=conn(); s.sendall(b"POST /v1/bars/X HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nContent-Type: text/csv\r\nExpect: 100-continue\r\n\r\n")
print("4 unauth expect:", first_line(recv_all(s,64)))
# 9 log injection: see server log
s=conn(); s.sendall(b"GET /nope%0aFORGED%1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); recv_all(s)
# 14 leading CRLF
s=conn(); s.sendall(b"\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); print("14 leading CRLF:", first_line(recv_all(s)))
