package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// stateMaxAge is how old a message's state (read, flagged, categories)
// may be to go with its MIME in FetchMany without being read again: the
// delta round or search that just listed the messages read it.
const stateMaxAge = 30 * time.Second

// fetchAnswerCap bounds one $batch answer carrying messages; a chunk
// whose answer is larger is read again one message at a time, each
// capped at the limit asked for.
const fetchAnswerCap = 64 << 20

// Fetch reads the raw MIME of a message (…/$value, which does not mark it
// read) up to limit bytes, with its state, in one $batch.
func (m *Mailbox) Fetch(ctx context.Context, folder mail.FolderRef, uid mail.UID, limit int64) (*mail.RawMessage, error) {
	l, err := m.resolveRef(ctx, folder, []mail.UID{uid})
	if err != nil {
		return nil, err
	}
	gid, ok := l.ids[uid]
	if !ok {
		return nil, mail.ErrNotFound
	}
	calls := []call{
		{method: http.MethodGet, path: msgPath(gid) + "?$select=" + stateFields},
		{method: http.MethodGet, path: msgPath(gid) + "/$value"},
	}
	res := make([]result, 2)
	err = m.batchOnce(ctx, calls, res, fetchAnswerCap)
	if errors.Is(err, errAnswerTooLarge) {
		return m.fetchAlone(ctx, l, uid, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	var state message
	if err := firstError(res); err != nil {
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	if res[0].err != nil || res[1].err != nil { // not found
		return nil, mail.ErrNotFound
	}
	if err := decode(res[0].body, &state); err != nil {
		return nil, err
	}
	if state.ParentFolderID != "" && state.ParentFolderID != l.id {
		return nil, mail.ErrNotFound
	}
	raw, err := res[1].binary()
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	return rawMessage(uid, &state, raw, limit, 0), nil
}

func rawMessage(uid mail.UID, state *message, raw []byte, limit, size int64) *mail.RawMessage {
	out := &mail.RawMessage{UID: uid, Raw: raw, Size: int64(len(raw)), Flags: state.flags(), Received: state.ReceivedDateTime}
	if limit > 0 && int64(len(raw)) > limit {
		out.Raw, out.Truncated = raw[:limit], true
		out.Size = max(size, int64(len(raw)))
	}
	return out
}

// fetchAlone reads one message with two plain requests, streaming the
// MIME so that no more than limit bytes are held: for messages too large
// to travel in a batch.
func (m *Mailbox) fetchAlone(ctx context.Context, l lookup, uid mail.UID, limit int64) (*mail.RawMessage, error) {
	gid, ok := l.ids[uid]
	if !ok {
		return nil, mail.ErrNotFound
	}
	var state message
	if err := m.getJSON(ctx, msgPath(gid)+"?$select="+stateFields, &state); err != nil {
		if IsNotFound(err) {
			return nil, mail.ErrNotFound
		}
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	if state.ParentFolderID != "" && state.ParentFolderID != l.id {
		return nil, mail.ErrNotFound
	}
	return m.fetchValue(ctx, uid, gid, &state, limit)
}

func (m *Mailbox) fetchValue(ctx context.Context, uid mail.UID, gid string, state *message, limit int64) (*mail.RawMessage, error) {
	resp, err := m.send(ctx, request{method: http.MethodGet, path: msgPath(gid) + "/$value", resendable: true})
	if err != nil {
		if IsNotFound(err) {
			return nil, mail.ErrNotFound
		}
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	defer resp.Body.Close()
	r := io.Reader(resp.Body)
	if limit > 0 {
		r = io.LimitReader(resp.Body, limit+1)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read message %d: %w", uid, err)
	}
	return rawMessage(uid, state, raw, limit, resp.ContentLength), nil
}

// FetchMany reads messages in $batch requests of 20 /$value calls, up to
// four batches at once (Graph's limit per mailbox), and hands them to fn
// in the order of uids. The state that goes with each message comes from
// the listing that just read it, or is read first, in batches too.
// Messages gone or moved elsewhere are skipped.
func (m *Mailbox) FetchMany(ctx context.Context, folder mail.FolderRef, uids []mail.UID, limit int64, fn func(*mail.RawMessage) error) error {
	l, err := m.resolveRef(ctx, folder, uids)
	if err != nil {
		return err
	}
	states, err := m.statesOf(ctx, l, uids)
	if err != nil {
		return fmt.Errorf("read %d messages in %q: %w", len(uids), folder.Name, err)
	}
	var todo []mail.UID
	for _, u := range uids {
		if st, ok := states[u]; ok && (st.ParentFolderID == "" || st.ParentFolderID == l.id) {
			todo = append(todo, u)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make([]chan chunkResult, (len(todo)+maxBatch-1)/maxBatch)
	for i := range chunks {
		chunks[i] = make(chan chunkResult, 1)
	}
	ahead := make(chan struct{}, m.cfg.Concurrency) // chunks fetched but not yet handed over
	go func() {
		for i, ch := range chunks {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			part := todo[i*maxBatch : min((i+1)*maxBatch, len(todo))]
			go func() { ch <- m.fetchChunk(ctx, l, part, states, limit) }()
		}
	}()
	for _, ch := range chunks {
		var r chunkResult
		select {
		case r = <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-ahead
		if r.err != nil {
			return fmt.Errorf("read %d messages in %q: %w", len(uids), folder.Name, r.err)
		}
		for _, msg := range r.msgs {
			if err := fn(msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// chunkResult is one batch of messages, in the order asked.
type chunkResult struct {
	msgs []*mail.RawMessage
	err  error
}

// fetchChunk reads up to 20 messages in one $batch; if the answer is too
// large to hold, one at a time instead.
func (m *Mailbox) fetchChunk(ctx context.Context, l lookup, uids []mail.UID, states map[mail.UID]*message, limit int64) chunkResult {
	calls := make([]call, len(uids))
	for i, u := range uids {
		calls[i] = call{method: http.MethodGet, path: msgPath(l.ids[u]) + "/$value"}
	}
	res := make([]result, len(calls))
	err := m.batchOnce(ctx, calls, res, fetchAnswerCap)
	if errors.Is(err, errAnswerTooLarge) {
		return m.fetchEach(ctx, l, uids, states, limit)
	}
	if err != nil {
		return chunkResult{err: err}
	}
	var out chunkResult
	for i, r := range res {
		if IsNotFound(r.err) {
			continue
		}
		if r.err != nil {
			return chunkResult{err: r.err}
		}
		raw, err := r.binary()
		if err != nil {
			return chunkResult{err: err}
		}
		out.msgs = append(out.msgs, rawMessage(uids[i], states[uids[i]], raw, limit, 0))
	}
	return out
}

func (m *Mailbox) fetchEach(ctx context.Context, l lookup, uids []mail.UID, states map[mail.UID]*message, limit int64) chunkResult {
	var out chunkResult
	for _, u := range uids {
		msg, err := m.fetchValue(ctx, u, l.ids[u], states[u], limit)
		if errors.Is(err, mail.ErrNotFound) {
			continue
		}
		if err != nil {
			return chunkResult{err: err}
		}
		out.msgs = append(out.msgs, msg)
	}
	return out
}

// statesOf returns the state of each of uids that is still in the
// folder: as last read, if recently, else read now in batches.
func (m *Mailbox) statesOf(ctx context.Context, l lookup, uids []mail.UID) (map[mail.UID]*message, error) {
	out := make(map[mail.UID]*message, len(uids))
	var stale []mail.UID
	now := time.Now()
	m.mu.Lock()
	f := m.state(l.id)
	for _, u := range uids {
		gid, ok := l.ids[u]
		if !ok {
			continue
		}
		if s, ok := f.seen[gid]; ok && now.Sub(s.at) < stateMaxAge {
			msg := s.msg
			out[u] = &msg
		} else {
			stale = append(stale, u)
		}
	}
	m.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}
	read, err := m.getMany(ctx, l, stale, stateFields)
	for u, msg := range read {
		out[u] = msg
	}
	return out, err
}
