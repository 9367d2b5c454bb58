# Descriptor flood (issue 10): python3 flood.py PORT CONNECTIONS HOLD_SECONDS; run two at
# once for more connections than one process may open, and curl /healthz meanwhile.
import socket, sys, time, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
port=int(sys.argv[1]); n=int(sys.argv[2]); hold=float(sys.argv[3])
socks=[]; fail=0
for i in range(n):
    try:
        s=socket.socket(); s.setblocking(True); s.connect(("127.0.0.1",port)); socks.append(s)
    except Exception as e:
        fail+=1
print("opened", len(socks), "failed", fail, flush=True)
time.sleep(hold)
alive=0
for s in socks:
    s.setblocking(False)
    try:
        d=s.recv(1)
        if d==b"": pass
    except BlockingIOError:
        alive+=1
    except Exception:
        pass
print("still open after hold:", alive, flush=True)
