"""Writes hostile.jsonl, the hostile-input corpus replayed by tests/Reliability.Tests/Hostile/HostileInputTests.cs and tests/Replicas.Docker.Tests/Hostile (python3 generate.py).

One JSON object per line: name, then either method/path (+ headers [[name, value]], body or bodyBase64, generate) or raw
(a whole request, {host} replaced), optional trickle {everyMs, bytes, headersFirst}, and expect:
  json     a 4xx in the contract's error shape (docs/contract.md), written by the balancer
  kestrel  Kestrel's own protocol-level rejection: a 4xx with its own (empty) body, or the connection closed
  4xx      a 4xx passed through from a replica (the sample Server answers 405 to methods it does not serve)
Generators (big inputs are made by the test, not stored): "hostnames COUNT n=N", "nested DEPTH", "nested-objects DEPTH",
"padding BYTES [chunked]", "header-bytes BYTES", "header-count COUNT", "long-target LENGTH", "no-body".
"""
import json
cases=[]
def c(name, method=None, path=None, body=None, expect="json", status=None, headers=None, generate=None, raw=None, trickle=None, bodyBase64=None, note=None):
    d={"name":name}
    if raw is not None: d["raw"]=raw
    else:
        d["method"]=method; d["path"]=path
    if headers: d["headers"]=headers
    if body is not None: d["body"]=body
    if bodyBase64 is not None: d["bodyBase64"]=bodyBase64
    if generate: d["generate"]=generate
    if trickle: d["trickle"]=trickle
    d["expect"]=expect
    if status: d["status"]=status
    if note: d["note"]=note
    cases.append(d)
A=lambda name, body, **k: c("add/"+name,"POST","/add",body,**k)
R=lambda name, body, **k: c("rm/"+name,"DELETE","/rm",body,**k)
# malformed JSON
A("truncated-object",'{"n": 1,')
A("unterminated-string",'{"n": 1, "hostnames": ["S5')
A("garbage","}{")
A("form-encoded","n=1&hostnames=S5")
A("trailing-garbage",'{"n": 1} x')
A("two-documents",'{"n": 1}{"n": 1}')
A("single-quotes","{'n': 1}")
A("comment",'{"n": 1 /* one */}')
A("trailing-comma",'{"n": 1,}')
A("nan",'{"n": NaN}')
A("empty-body","")
A("whitespace-body","   \r\n\t ")
A("no-body-no-length",None, generate="no-body")
import base64
A("invalid-utf8",None,bodyBase64=base64.b64encode(b'{"n": 1, "hostnames": ["S\xff\xfe"]}').decode())
A("utf16-body",None,bodyBase64=base64.b64encode('{"n": 1}'.encode('utf-16')).decode())
R("truncated-object",'{"n": 1, "hostnames": ["Server 1"')
# wrong types
A("json-null","null")
A("json-array",'[{"n": 1}]')
A("json-string",'"n"')
A("json-number","1")
A("n-string",'{"n": "1"}')
A("n-bool",'{"n": true}')
A("n-null",'{"n": null}')
A("n-array",'{"n": [1]}')
A("n-object",'{"n": {"value": 1}}')
A("n-fraction",'{"n": 1.5}')
A("n-missing",'{"hostnames": ["S5"]}')
A("n-uppercase-key",'{"N": 1}')
A("hostnames-string",'{"n": 1, "hostnames": "S5"}')
A("hostnames-object",'{"n": 1, "hostnames": {"0": "S5"}}')
A("hostnames-number-item",'{"n": 1, "hostnames": [5]}')
A("hostnames-null-item",'{"n": 1, "hostnames": [null]}')
A("hostnames-nested-list",'{"n": 1, "hostnames": [["S5"]]}')
R("n-string",'{"n": "1"}')
R("hostnames-number-item",'{"n": 1, "hostnames": [1]}')
# n out of range
A("n-zero",'{"n": 0}')
A("n-negative",'{"n": -1}')
A("n-int64-min",'{"n": -9223372036854775808}')
A("n-int32-overflow",'{"n": 2147483648}')
A("n-huge-integer",'{"n": 99999999999999999999999999999999999999}')
A("n-1e308",'{"n": 1e308}')
A("n-beyond-double",'{"n": 1e400}')
A("n-above-max",'{"n": 65}')
A("n-total-above-max",'{"n": 62}')
R("n-zero",'{"n": 0}')
R("n-negative",'{"n": -2}')
R("n-more-than-exist",'{"n": 4}')
R("n-huge",'{"n": 2147483647}')
# hostnames
A("hostnames-longer-than-n",'{"n": 1, "hostnames": ["S5", "S4"]}')
R("hostnames-longer-than-n",'{"n": 1, "hostnames": ["Server 1", "Server 2"]}')
A("hostnames-10000",None,generate="hostnames 10000 n=10000")
A("hostnames-10000-n-64",None,generate="hostnames 10000 n=64")
A("hostnames-2000-short",None,generate="hostnames 2000 n=3")
R("hostnames-10000",None,generate="hostnames 10000 n=10000")
bad=[("empty",""),("64-chars","a"*64),("shell-subst","$(reboot)"),("shell-backticks","`id`"),("shell-semicolon","S5; rm -rf /"),("shell-pipe","a|b"),("shell-and","a&&b"),
("newline","S5\nS6"),("carriage-return","S5\r\nX-Injected: 1"),("tab","S5\tS6"),("nul","S5\u0000"),("path-traversal","../../etc/passwd"),("absolute-path","/var/run/docker.sock"),
("backslash-path","..\\..\\windows"),("slash","a/b"),("docker-tag","ringway/sample-server:latest"),("docker-label","io.ringway.managed=true"),("docker-flag","--privileged=true"),
("at-sign","a@b"),("comma","a,b"),("colon","S5:5000"),("percent","S%20"),("quote","S5\""),("braces","{S5}"),("non-ascii-latin","S\u00e9rv\u00e9r"),("non-ascii-cjk","\u670d\u52a1\u5668"),
("zero-width-space","S5\u200b"),("fullwidth","\uff335"),("emoji","S\U0001F600"),("rtl-override","S\u202e5"),("lone-surrogate-escape","S\\ud800")]
for n,h in bad:
    if n=="lone-surrogate-escape":
        A("hostname-"+n,'{"n": 1, "hostnames": ["S\\ud800"]}')
        continue
    A("hostname-"+n,json.dumps({"n":1,"hostnames":[h]}, ensure_ascii=(n=="nul")))
for n,h in [("shell-subst","$(reboot)"),("path-traversal","../../etc/passwd"),("docker-label","io.ringway.managed=true"),("non-ascii-latin","S\u00e9rv\u00e9r")]:
    R("hostname-"+n,json.dumps({"n":1,"hostnames":[h]}, ensure_ascii=False))
A("hostname-duplicate",'{"n": 2, "hostnames": ["S5", "S5"]}')
A("hostname-exists",'{"n": 1, "hostnames": ["Server 1"]}')
A("valid-then-invalid",'{"n": 2, "hostnames": ["S5", "bad/name"]}', note="all-or-nothing: S5 must not be started")
R("not-a-replica",'{"n": 1, "hostnames": ["S9"]}')
R("duplicate",'{"n": 2, "hostnames": ["Server 1", "Server 1"]}')
R("existing-then-invalid",'{"n": 2, "hostnames": ["Server 1", "bad/name"]}', note="all-or-nothing: Server 1 must stay")
R("existing-then-missing",'{"n": 2, "hostnames": ["Server 1", "S9"]}', note="all-or-nothing: Server 1 must stay")
# duplicate keys
A("duplicate-key-n",'{"n": 70, "n": 1}')
A("duplicate-key-n-valid-values",'{"n": 1, "n": 1}')
A("duplicate-key-hostnames",'{"n": 1, "hostnames": ["S5"], "hostnames": ["S6"]}')
R("duplicate-key-n",'{"n": 70, "n": 1}')
# nesting
A("nested-arrays-100",None,generate="nested 100")
A("nested-arrays-10000",None,generate="nested 10000")
A("nested-objects-10000",None,generate="nested-objects 10000")
R("nested-arrays-100",None,generate="nested 100")
# size
A("body-16k-plus-1",None,generate="padding 16385")
A("body-5mb",None,generate="padding 5242880")
A("body-5mb-chunked",None,generate="padding 5242880 chunked")
A("body-100k-chunked",None,generate="padding 102400 chunked")
R("body-5mb",None,generate="padding 5242880")
A("content-length-lies-short",None,raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"n": 1}', expect="kestrel", note="the client sends 8 of 100 bytes, then ends its side")
# protocol level (Kestrel's own rejections)
c("add/content-length-and-chunked",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 8\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{"n": 1}', expect="kestrel")
c("add/smuggled-rm",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nDELETE /rm HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"n": 1}', expect="kestrel", note="a second request hidden behind conflicting framing must not remove a replica")
c("route/content-length-and-chunked",raw='POST /home HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', expect="kestrel")
c("route/chunked-twice",raw='POST /home HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n', expect="kestrel")
c("route/transfer-encoding-identity",raw='POST /home HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nhi', expect="kestrel")
c("route/content-length-over-limit",raw='POST /home HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 1073741824\r\n\r\n', expect="kestrel", note="1 GiB announced, over the routed MaxRequestBodySize: refused before any body is read")
c("add/two-content-lengths",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 8\r\nContent-Length: 9\r\n\r\n{"n": 1} ', expect="kestrel")
c("add/content-length-negative",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: -1\r\n\r\n', expect="kestrel")
c("add/content-length-not-a-number",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 1e3\r\n\r\n', expect="kestrel")
c("add/bad-chunk-size",raw='POST /add HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"n": 1}\r\n0\r\n\r\n', expect="kestrel")
c("route/request-line-garbage",raw='GARBAGE\r\n\r\n', expect="kestrel")
c("route/no-host-header",raw='GET /home HTTP/1.1\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/two-host-headers",raw='GET /home HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/header-without-colon",raw='GET /home HTTP/1.1\r\nHost: {host}\r\nX-Broken\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/header-name-with-space",raw='GET /home HTTP/1.1\r\nHost: {host}\r\nX Ringway Key: a\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/obsolete-line-folding",raw='GET /home HTTP/1.1\r\nHost: {host}\r\nX-Ringway-Key: a\r\n b\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/nul-in-header-value",raw='GET /home HTTP/1.1\r\nHost: {host}\r\nX-Ringway-Key: a\u0000b\r\nConnection: close\r\n\r\n', expect="kestrel")
pass  # Kestrel accepts bare LF line ends (RFC 9112 allows it): not a rejection case
c("route/encoded-nul","GET","/x%00y",expect="kestrel",status=400,note="Kestrel refuses a NUL in the decoded path")
c("route/request-target-with-space",raw='GET /ho me HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n', expect="kestrel")
c("route/header-bytes-64k",method="GET",path="/home",generate="header-bytes 65536",expect="kestrel",status=431)
c("route/header-count-200",method="GET",path="/home",generate="header-count 200",expect="kestrel",status=431)
c("add/header-bytes-64k",method="POST",path="/add",body='{"n": 1}',generate="header-bytes 65536",expect="kestrel",status=431)
c("route/request-line-16k",method="GET",path=None,generate="long-target 16384",expect="kestrel",status=414)
# routing path: the replicas do not serve these; the balancer answers in its JSON shape
for n,p in [("unknown-path","/nope"),("dot-dot","/../../etc/passwd"),("encoded-dot-dot","/%2e%2e/%2e%2e/etc/passwd"),("encoded-slash","/home%2f..%2f..%2fetc"),("encoded-crlf","/x%0d%0aX-Injected:%20yes"),
("non-ascii","/s%C3%A9rv%C3%A9r"),("invalid-utf8-escape","/x%ff%fe"),("double-slash","//etc/passwd"),("backslashes","/..\\..\\etc"),("long-key","/nope?key=" + "k"*4000),
("home-with-trailing","/home/..;/x"),("admin-lookalike","/rep/../add")]:
    c("route/"+n,"GET",p,expect="json",status=400)
c("route/get-add","GET","/add",expect="json",status=400, note="/add only takes POST; other methods are routed and the replicas do not serve them")
c("route/put-rm","PUT","/rm",body='{"n": 1}',expect="json",status=400)
c("route/post-home","POST","/home",body="x",expect="4xx",note="passed through: the replica answers 405")
c("route/unknown-method","BREW","/home",expect="4xx",note="passed through: the replica answers 405")
# slow clients
c("route/slow-headers",method="GET",path="/home",generate="header-bytes 400",trickle={"everyMs":100,"bytes":1},expect="kestrel",note="headers trickled at 10 bytes/s (about 47 s in all); Kestrel's RequestHeadersTimeout must end it first")
c("add/slow-body",method="POST",path="/add",generate="padding 4000",trickle={"everyMs":250,"bytes":1,"headersFirst":True},expect="kestrel",note="body at 4 B/s, under MinRequestBodyDataRate")
import os
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile.jsonl"), "w", encoding="utf-8") as f:
    for d in cases: f.write(json.dumps(d, ensure_ascii=False)+"\n")
print(len(cases))
