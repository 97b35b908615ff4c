package mimecast

import (
	"encoding/json"
	"testing"
)

// decoders read one element of an answer's data[] as each item type the
// client knows, as the list and call helpers do.
var decoders = []extractor[any]{
	asAny(direct[Policy]), asAny(direct[ManagedSender]), asAny(direct[Group]), asAny(direct[Member]),
	asAny(direct[HeldMessage]), asAny(direct[TrackedMessage]), asAny(direct[MessageInfo]),
	asAny(direct[ArchiveMessage]), asAny(direct[MessageDetail]), asAny(direct[SearchLog]), asAny(direct[ClickLog]),
	asAny(nested[TrackedMessage]("trackedEmails")), asAny(nested[ArchiveHit]("items")),
}

func asAny[T any](ex extractor[T]) extractor[any] {
	return func(raw json.RawMessage) ([]any, error) {
		items, err := ex(raw)
		out := make([]any, len(items))
		for i := range items {
			out[i] = items[i]
		}
		return out, err
	}
}

// FuzzDecodeAnswer feeds the client's answer decoding whatever a hostile
// or broken API could send: it may refuse the answer, never panic, and
// an error it returns must describe itself.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"meta":{"status":200},"data":[{"id":"a","description":"Block \u202einvoice"}],"fail":[]}`))
	f.Add([]byte(`{"meta":{"status":"400"},"data":[],"fail":[{"errors":[{"code":"err_x","message":"m\u001b[31m","retryable":false}]}]}`))
	f.Add([]byte(`{"meta":{"status":200,"pagination":{"next":"t","pageSize":1}},"data":[{"trackedEmails":[{"id":"x","sent":"2026-01-02T03:04:05+0000","fromEnv":{"emailAddress":"a@b"}}]}]}`))
	f.Add([]byte(`{"data":[{"to":[{"emailAddress":"x"},"y",3],"received":null}]}`))
	f.Add([]byte(`{"data":"x"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_ = envelopeMessage(raw)
		_ = authErrorFrom("/api/x", 401, raw).Error()
		r, err := decodeAnswer("/api/x", 200, raw)
		if err != nil {
			_ = err.Error()
		}
		if r == nil {
			return
		}
		for _, d := range r.Data {
			for _, dec := range decoders {
				items, err := dec(d)
				if err == nil {
					if _, err := json.Marshal(items); err != nil {
						t.Fatalf("decoded items do not encode again: %v", err)
					}
				}
			}
		}
	})
}
