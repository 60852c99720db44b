set --secret token 'two  spaces\and'
decode <<EOF2
{"callId": "c1", "callResult": 17}
EOF2
sign nxlink call/list {"taskId": "t1", "n": [1, {"x": "}"}]} --cred accessKey=AK --cred accessSecret=env:S
verify "POST /x HTTP/1.1
# a comment 'open
echo ${x} $x "$x" 'a\' \
  continued
