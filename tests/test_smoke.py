def test_file_and_show(desk):
    number = desk("--as", "ana", "request", "new", "VPN drops", "--team", "it").stdout.strip()
    assert number == "1"
    data = desk.json("--as", "ana", "request", "show", "1")
    assert data["status"] == "new" and data["requester"] == "ana"
    assert [e["kind"] for e in data["events"]] == ["filed"]
