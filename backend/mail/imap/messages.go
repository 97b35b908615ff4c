package imap

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailtriage/mailtriage/backend/mail"
)

// envelopeItems is what a list row needs. BODYSTRUCTURE is there for the
// attachment mark; it costs the server little and saves fetching bodies.
var envelopeItems = &imap.FetchOptions{
	UID:           true,
	Flags:         true,
	Envelope:      true,
	RFC822Size:    true,
	InternalDate:  true,
	BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
}

// plainEnvelopeItems is envelopeItems without BODYSTRUCTURE, the fallback
// when a server's BODYSTRUCTURE cannot be parsed.
var plainEnvelopeItems = &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true}

// List selects the folder afresh and, pipelined behind the SELECT, asks for
// every UID, the unread count, and the envelopes of the newest prefetch
// messages by sequence number (counted from the folder's last known size,
// "n-prefetch+1:*"). The first screen thus costs one round trip, whatever
// the folder's size; only when the guess was off is a second needed.
func (m *Mailbox) List(ctx context.Context, folder string, prefetch int) (mail.Listing, error) {
	l, err := m.list(ctx, folder, prefetch, envelopeItems)
	if err != nil && prefetch > 0 && isRetryable(err) && ctx.Err() == nil {
		// A server's malformed BODYSTRUCTURE is fatal to go-imap's reader
		// (imapmemserver sends one for a multipart without boundary):
		// list again without it, the attachment marks are all we lose.
		l, err = m.list(ctx, folder, prefetch, plainEnvelopeItems)
	}
	return l, err
}

func (m *Mailbox) list(ctx context.Context, folder string, prefetch int, items *imap.FetchOptions) (mail.Listing, error) {
	var out mail.Listing
	err := m.with(ctx, mail.FolderRef{}, func(cn *conn) error {
		// Named as the analyst sees it from here on, whichever way it
		// was typed ("INBOX.Junk" or "Junk").
		full := m.wire(folder)
		folder = m.shown(full)
		esearch := cn.c.Caps().Has(imap.CapESearch)
		sel := cn.c.Select(full, nil)
		all := cn.c.UIDSearch(&imap.SearchCriteria{}, searchReturn(esearch, false))
		unseen := cn.c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, searchReturn(esearch, true))
		var newest *imapclient.FetchCommand
		if known := m.knownCount(folder); prefetch > 0 && known > 0 {
			newest = cn.c.Fetch(newestSeq(known, prefetch, true), items)
		}
		data, err := sel.Wait()
		if err != nil {
			cn.selected = ""
			// The rest ran in no folder (or the old one): drain it.
			_, _ = all.Wait()
			_, _ = unseen.Wait()
			if newest != nil {
				_ = newest.Close()
			}
			return folderError(folder, err)
		}
		cn.selected, cn.validity = full, data.UIDValidity
		cn.permKeywords = hasFlag(data.PermanentFlags, imap.FlagWildcard)

		envs, err := collectNewest(cn.c, newest, data.NumMessages, prefetch, items)
		if err != nil {
			return err
		}
		allData, err := all.Wait()
		if err != nil {
			return err
		}
		unseenData, err := unseen.Wait()
		if err != nil {
			return err
		}
		out = mail.Listing{
			Folder:           mail.FolderRef{Name: folder, UIDValidity: data.UIDValidity},
			UIDs:             toUIDs(allData.AllUIDs()),
			Unseen:           countOf(unseenData, esearch),
			Newest:           envs,
			CanStoreKeywords: cn.permKeywords,
		}
		return nil
	})
	var fe *FolderError
	if err != nil && !errors.As(err, &fe) {
		err = fmt.Errorf("open folder %q: %w", folder, err)
	}
	if err == nil {
		m.setKnownCount(folder, uint32(len(out.UIDs)))
	}
	return out, err
}

// newestSeq is the sequence set of the newest prefetch of n messages;
// open-ended ("…:*") when n is only a guess, so mail that arrived since
// is included.
func newestSeq(n uint32, prefetch int, openEnded bool) imap.SeqSet {
	first := uint32(1)
	if n > uint32(prefetch) {
		first = n - uint32(prefetch) + 1
	}
	var seq imap.SeqSet
	if openEnded {
		seq.AddRange(first, 0) // 0 is "*"
	} else {
		seq.AddRange(first, n)
	}
	return seq
}

// collectNewest reads the pipelined fetch of the newest envelopes; when
// there was no guess, or the guess no longer fits the folder, it asks
// again now that SELECT has said how many messages there are.
func collectNewest(c *imapclient.Client, guessed *imapclient.FetchCommand, n uint32, prefetch int, items *imap.FetchOptions) ([]mail.Envelope, error) {
	if guessed != nil {
		bufs, err := guessed.Collect()
		switch {
		case err == nil && (len(bufs) >= prefetch || uint32(len(bufs)) == n):
			envs := envelopesFrom(bufs)
			if len(envs) > prefetch {
				envs = envs[len(envs)-prefetch:]
			}
			return envs, nil
		case err != nil && !isAnswer(err):
			return nil, err
		}
	}
	if prefetch <= 0 || n == 0 {
		return nil, nil
	}
	bufs, err := c.Fetch(newestSeq(n, prefetch, false), items).Collect()
	if err != nil {
		return nil, err
	}
	return envelopesFrom(bufs), nil
}

func searchReturn(esearch, countOnly bool) *imap.SearchOptions {
	if !esearch {
		return nil // plain SEARCH: servers without ESEARCH reject RETURN
	}
	if countOnly {
		return &imap.SearchOptions{ReturnCount: true}
	}
	return &imap.SearchOptions{ReturnAll: true}
}

func countOf(d *imap.SearchData, esearch bool) uint32 {
	if esearch {
		return d.Count
	}
	return uint32(len(d.AllUIDs()))
}

func toUIDs(in []imap.UID) []mail.UID {
	out := make([]mail.UID, len(in))
	for i, u := range in {
		out[i] = mail.UID(u)
	}
	// Servers return ascending UIDs, but nothing forces them to.
	if !slices.IsSorted(out) {
		slices.Sort(out)
	}
	return out
}

// uidSet builds a compact set: runs of consecutive UIDs become ranges, which
// keeps command lines short for big selections.
func uidSet(uids []mail.UID) imap.UIDSet {
	sorted := slices.Clone(uids)
	slices.Sort(sorted)
	var set imap.UIDSet
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] <= sorted[j]+1 {
			j++
		}
		set.AddRange(imap.UID(sorted[i]), imap.UID(sorted[j]))
		i = j + 1
	}
	return set
}

// Envelopes fetches list data for uids in one UID FETCH (again without
// BODYSTRUCTURE if the server's one broke the connection, see List).
func (m *Mailbox) Envelopes(ctx context.Context, folder mail.FolderRef, uids []mail.UID) ([]mail.Envelope, error) {
	out, err := m.envelopes(ctx, folder, uids, envelopeItems)
	if err != nil && isRetryable(err) && ctx.Err() == nil {
		out, err = m.envelopes(ctx, folder, uids, plainEnvelopeItems)
	}
	return out, err
}

func (m *Mailbox) envelopes(ctx context.Context, folder mail.FolderRef, uids []mail.UID, items *imap.FetchOptions) ([]mail.Envelope, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	var out []mail.Envelope
	err := m.with(ctx, folder, func(cn *conn) error {
		bufs, err := cn.c.Fetch(uidSet(uids), items).Collect()
		if err != nil {
			return err
		}
		out = envelopesFrom(bufs)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fetch %d envelopes in %q: %w", len(uids), folder.Name, err)
	}
	return out, nil
}

// Fetch reads one message with BODY.PEEK (so reading does not mark it
// read), at most limit bytes of it.
func (m *Mailbox) Fetch(ctx context.Context, folder mail.FolderRef, uid mail.UID, limit int64) (*mail.RawMessage, error) {
	var out *mail.RawMessage
	err := m.with(ctx, folder, func(cn *conn) error {
		bufs, err := cn.c.Fetch(imap.UIDSetNum(imap.UID(uid)), bodyItems(limit)).Collect()
		if err != nil {
			return err
		}
		if len(bufs) == 0 {
			return mail.ErrNotFound
		}
		out = rawFrom(bufs[0], limit)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read message %d in %q: %w", uid, folder.Name, err)
	}
	return out, nil
}

// bodyItems asks for the whole message (BODY.PEEK[], at most limit bytes),
// its flags and size.
func bodyItems(limit int64) *imap.FetchOptions {
	section := &imap.FetchItemBodySection{Peek: true}
	if limit > 0 {
		section.Partial = &imap.SectionPartial{Offset: 0, Size: limit}
	}
	return &imap.FetchOptions{UID: true, Flags: true, RFC822Size: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section}}
}

func rawFrom(b *imapclient.FetchMessageBuffer, limit int64) *mail.RawMessage {
	var raw []byte
	if len(b.BodySection) > 0 {
		raw = b.BodySection[0].Bytes
	}
	return &mail.RawMessage{
		UID:       mail.UID(b.UID),
		Raw:       raw,
		Size:      b.RFC822Size,
		Truncated: limit > 0 && b.RFC822Size > limit,
		Flags:     flagsFrom(b.Flags),
		Received:  b.InternalDate,
	}
}

// fetchBatch is how many messages one UID FETCH of FetchMany asks for:
// the server streams the whole batch in one round trip, and only one
// batch of raw messages is held at a time.
const fetchBatch = 250

// FetchMany reads whole messages (BODY.PEEK, at most limit bytes each) in
// batches, one UID FETCH per batch, calling fn for each in the order of
// uids. Messages that no longer exist are skipped. It is one connection's
// work, so it is not retried: fn may already have seen part of it.
//
// Batches are not pipelined: go-imap beta.8 dispatches the responses of
// several FETCH commands in flight to one reader, which stalls when a
// later command's literal arrives before the earlier command's consumer
// is done (seen as a hang in testing).
func (m *Mailbox) FetchMany(ctx context.Context, folder mail.FolderRef, uids []mail.UID, limit int64, fn func(*mail.RawMessage) error) error {
	if len(uids) == 0 {
		return nil
	}
	err := m.withOnce(ctx, folder, func(cn *conn) error {
		for start := 0; start < len(uids); start += fetchBatch {
			part := uids[start:min(start+fetchBatch, len(uids))]
			var bufs []*imapclient.FetchMessageBuffer
			for _, set := range chunks(part) {
				got, err := cn.c.Fetch(set, bodyItems(limit)).Collect()
				if err != nil {
					return err
				}
				bufs = append(bufs, got...)
			}
			if err := emitInOrder(part, bufs, limit, fn); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %d messages in %q: %w", len(uids), folder.Name, err)
	}
	return nil
}

// emitInOrder hands the fetched messages to fn in the order they were
// asked for (servers answer in sequence order, which need not match).
func emitInOrder(asked []mail.UID, bufs []*imapclient.FetchMessageBuffer, limit int64, fn func(*mail.RawMessage) error) error {
	byUID := make(map[mail.UID]*imapclient.FetchMessageBuffer, len(bufs))
	for _, b := range bufs {
		byUID[mail.UID(b.UID)] = b
	}
	for _, uid := range asked {
		if b := byUID[uid]; b != nil {
			if err := fn(rawFrom(b, limit)); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetSeen adds or removes \Seen on uids with one silent UID STORE.
func (m *Mailbox) SetSeen(ctx context.Context, folder mail.FolderRef, uids []mail.UID, seen bool) error {
	op := imap.StoreFlagsDel
	if seen {
		op = imap.StoreFlagsAdd
	}
	store := &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	err := m.with(ctx, folder, func(cn *conn) error {
		return cn.c.Store(uidSet(uids), store, nil).Close()
	})
	if err != nil {
		verb := "unread"
		if seen {
			verb = "read"
		}
		return fmt.Errorf("mark %d messages %s: %w", len(uids), verb, err)
	}
	return nil
}

func envelopesFrom(bufs []*imapclient.FetchMessageBuffer) []mail.Envelope {
	out := make([]mail.Envelope, 0, len(bufs))
	for _, b := range bufs {
		out = append(out, envelopeFrom(b))
	}
	return out
}

func envelopeFrom(b *imapclient.FetchMessageBuffer) mail.Envelope {
	e := mail.Envelope{
		UID:      mail.UID(b.UID),
		Received: b.InternalDate,
		Size:     b.RFC822Size,
		Flags:    flagsFrom(b.Flags),
	}
	if env := b.Envelope; env != nil {
		e.Date = env.Date
		e.Subject = env.Subject
		e.MessageID = env.MessageID
		e.InReplyTo = env.InReplyTo
		e.From = addrs(env.From)
		e.To = addrs(env.To)
		e.Cc = addrs(env.Cc)
		e.ReplyTo = addrs(env.ReplyTo)
	}
	if b.BodyStructure != nil {
		e.Attachments = countAttachments(b.BodyStructure)
		e.Report = reportHint(b.BodyStructure, e.Subject)
	}
	return e
}

// reportHint reads what BODYSTRUCTURE says of a report: an attached
// message's own envelope comes with it; a .msg attachment, an ARF report
// or a forward without attachments needs the body read.
func reportHint(bs imap.BodyStructure, subject string) *mail.ReportHint {
	var hint *mail.ReportHint
	needsBody := false
	bs.Walk(func(_ []int, part imap.BodyStructure) bool {
		switch p := part.(type) {
		case *imap.BodyStructureMultiPart:
			if strings.EqualFold(p.Subtype, "report") {
				needsBody = true
			}
		case *imap.BodyStructureSinglePart:
			switch {
			case hint == nil && p.MessageRFC822 != nil && p.MessageRFC822.Envelope != nil:
				orig := envelopeOf(p.MessageRFC822.Envelope)
				hint = &mail.ReportHint{Original: &orig}
			case strings.HasSuffix(strings.ToLower(p.Filename()), ".msg"), strings.EqualFold(p.MediaType(), "application/vnd.ms-outlook"):
				needsBody = true
			}
		}
		return hint == nil
	})
	if hint != nil {
		return hint
	}
	if needsBody || looksForwarded(subject) {
		return &mail.ReportHint{NeedsBody: true}
	}
	return nil
}

// envelopeOf converts an IMAP envelope (of an attached message).
func envelopeOf(env *imap.Envelope) mail.Envelope {
	return mail.Envelope{Date: env.Date, Subject: env.Subject, MessageID: env.MessageID, InReplyTo: env.InReplyTo,
		From: addrs(env.From), To: addrs(env.To), Cc: addrs(env.Cc), ReplyTo: addrs(env.ReplyTo)}
}

// forwardPrefixes mark a forwarded subject in the languages the inline
// forward recogniser reads (English, German, French, Dutch, Spanish).
var forwardPrefixes = []string{"fw:", "fwd:", "wg:", "tr:", "fwd :", "tr :", "doorst:", "rv:", "reenv:", "[fwd", "[phish report]"}

// looksForwarded reports a subject that a forward (and so a possible
// inline report) would have.
func looksForwarded(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range forwardPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func addrs(in []imap.Address) []mail.Address {
	out := make([]mail.Address, 0, len(in))
	for _, a := range in {
		addr := a.Addr()
		if addr == "" && a.Name == "" {
			continue // group start/end markers
		}
		if addr == "" {
			addr = a.Mailbox // malformed address: show what there is
		}
		out = append(out, mail.Address{Name: a.Name, Addr: addr})
	}
	return out
}

func flagsFrom(flags []imap.Flag) mail.Flags {
	var f mail.Flags
	for _, fl := range flags {
		switch strings.ToLower(string(fl)) {
		case `\seen`:
			f.Seen = true
		case `\answered`:
			f.Answered = true
		case `\flagged`:
			f.Flagged = true
		case `\deleted`:
			f.Deleted = true
		case `\draft`:
			f.Draft = true
		case `\recent`:
		default:
			if !strings.HasPrefix(string(fl), `\`) {
				f.Keywords = append(f.Keywords, string(fl))
			}
		}
	}
	return f
}

// countAttachments counts leaf parts that are attachments: an explicit
// attachment disposition, a file name, or a non-text, non-multipart part
// that is not an inline image (what mail clients show with a paperclip).
func countAttachments(bs imap.BodyStructure) int {
	n := 0
	bs.Walk(func(_ []int, part imap.BodyStructure) bool {
		single, ok := part.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		disp := single.Disposition()
		switch {
		case disp != nil && strings.EqualFold(disp.Value, "attachment"):
			n++
		case single.Filename() != "":
			n++
		case strings.EqualFold(single.Type, "text"), disp != nil && strings.EqualFold(disp.Value, "inline"):
		default:
			n++
		}
		return true
	})
	return n
}
