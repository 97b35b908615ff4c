package fortimail

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeReply feeds the client's reply decoding whatever a hostile or
// broken appliance could send: the error check, collections of every
// listed type and every object type. Decoding may fail, never panic; and
// an object that decodes encodes to a form that decodes to the same
// encoding again (what the edit forms send back keeps what came).
func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(`{"errorType":0,"collection":[{"mkey":"a","comment":"x\u202ey"}]}`))
	f.Add([]byte(`{"errorType":"3","errorMsg":"bad \u001b]8;;x\u0007"}`))
	f.Add([]byte(`{"mkey":"p","session_action":"enable","remote_log":1,"max_msg_size":"10240","extra":{"a":[1,2]}}`))
	f.Add([]byte(`{"collection":"[]"}`))
	f.Add([]byte(`<html>proxy error</html>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res := &result{status: 200, body: raw}
		if err := res.check(op{name: "fuzz", method: "GET", path: "x"}); err != nil {
			_ = err.Error()
		}
		var reply collectionPage
		if json.Unmarshal(raw, &reply) == nil {
			_, _ = decodeCollection[Entry](reply.Collection)
			_, _ = decodeCollection[ProfileSummary](reply.Collection)
			_, _ = decodeCollection[Domain](reply.Collection)
		}
		roundTrip(t, raw, &SessionProfile{}, func(p *SessionProfile) any { return *p })
		roundTrip(t, raw, &AntispamProfile{}, func(p *AntispamProfile) any { return *p })
		roundTrip(t, raw, &Domain{}, func(p *Domain) any { return *p })
		roundTrip(t, raw, &RecipientPolicy{}, func(p *RecipientPolicy) any { return *p })
		var li LoginInfo
		_ = json.Unmarshal(raw, &li)
	})
}

func roundTrip[T any](t *testing.T, raw []byte, dst *T, val func(*T) any) {
	t.Helper()
	if json.Unmarshal(raw, dst) != nil {
		return
	}
	once, err := encodeObject(val(dst))
	if err != nil {
		t.Fatalf("%T decoded but does not encode: %v", dst, err)
	}
	var again T
	if err := json.Unmarshal(once, &again); err != nil {
		t.Fatalf("%T: own encoding %s does not decode: %v", dst, once, err)
	}
	twice, err := encodeObject(val(&again))
	if err != nil || !bytes.Equal(once, twice) {
		t.Fatalf("%T: encoding changed on a second round:\n%s\n%s (%v)", dst, once, twice, err)
	}
}
