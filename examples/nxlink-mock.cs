# A check a team can keep: sign, send to the local NXLink mock, and assert what comes back.
# Run it with:  callscope test examples/nxlink-mock.cs
# The credentials are made up for the mock; the published request below carries NXLink's own
# documented sample key and secret (see plugins/nxlink/README.md).

# The vendor's published request verifies with its published secret.
let v = verify @examples/nxlink-published-request.http --cred accessSecret=abciiiko2k3 --now 1655710890000
expect $v.verdict == valid "NXLink's published vector no longer verifies"

# A local stand-in of NXLink, on a free port, answering with generated call records.
let m = mock nxlink --port 0 --background --records 3 --seed 7 --cred accessKey=demo-key --cred accessSecret=demo-secret
expect $m.url contains http://127.0.0.1:

# The signed query is accepted (the mock checks the signature as NXLink does) and paged.
let r = send nxlink call/list '{"pageNumber":1,"pageSize":2}' --base-url $m.url --cred accessKey=demo-key --cred accessSecret=demo-secret
expect $r.status == 200
expect $r.response.body.code == 0 "the mock rejected the signature"
expect $r.records.length == 2 "one page holds two records"
expect $r.records[0].kind == callListRecord
expect $r.records[0].fields[0].meaning == "record id"

# A wrong secret gets NXLink's own error.
let bad = send nxlink call/list '{"pageNumber":1}' --base-url $m.url --cred accessKey=demo-key --cred accessSecret=not-the-secret
expect $bad.response.body.code != 0 "a wrong secret was accepted"

mock stop
