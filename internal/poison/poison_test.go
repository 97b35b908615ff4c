package poison

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The handler poisons every string value of an answer (not the keys, not
// times or numbers) and hands the server what the client sent without
// the payload: in the path, the query and a JSON body.
func TestHandlerPoisonsAnswersAndCleansRequests(t *testing.T) {
	var gotPath, gotQuery, gotBody string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotQuery = r.URL.Path, r.URL.Query().Get("name")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"p1","when":"2026-11-22T09:00:00Z","n":3,"list":["a",{"deep":"b"}],"ok":true,"by":{"a@b.example":"x"}}`))
	})
	srv := httptest.NewServer(Handler(inner, func(p string) bool { return p == "/login" }))
	defer srv.Close()

	u := srv.URL + "/obj/" + url.PathEscape(Payload+"name") + "?name=" + url.QueryEscape(Payload+"q")
	body, _ := json.Marshal(map[string]string{"id": Payload + "p1"})
	resp, err := http.Post(u, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if gotPath != "/obj/name" || gotQuery != "q" || gotBody != `{"id":"p1"}` {
		t.Fatalf("the server saw path %q, query %q, body %q", gotPath, gotQuery, gotBody)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out["id"] != Payload+"p1" || out["when"] != "2026-11-22T09:00:00Z" || out["n"] != 3.0 || out["ok"] != true {
		t.Fatalf("answer %q", out)
	}
	list := out["list"].([]any)
	if list[0] != Payload+"a" || list[1].(map[string]any)["deep"] != Payload+"b" {
		t.Fatalf("nested values not poisoned: %q", list)
	}
	if by := out["by"].(map[string]any); by[Payload+"a@b.example"] != Payload+"x" {
		t.Fatalf("an address key was not poisoned: %q", by)
	}

	resp, err = http.Post(srv.URL+"/login", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "evil") {
		t.Fatalf("a skipped path was poisoned: %s", b)
	}
}
