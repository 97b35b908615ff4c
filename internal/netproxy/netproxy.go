// Package netproxy is a TCP proxy for tests that sits between a client and
// a real server: it counts round trips (how often the client speaks again
// after the server answered) and can cut every connection after a chosen
// number of bytes, to test what a client does when the link dies at an
// arbitrary point of a conversation.
package netproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy forwards connections on Addr to a target address.
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener

	mu      sync.Mutex
	cutLeft int64 // bytes (both directions) until the cut; <0 = never
	cutDone bool
	conns   map[net.Conn]bool

	turns atomic.Int64

	latency time.Duration // one way, added to every chunk of new connections
}

// SetLatency delays every chunk by d in each direction (a round trip gets
// 2d longer), for connections made from now on. Throughput is not cut:
// chunks are queued and delivered when due, as on a long link.
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	p.latency = d
	p.mu.Unlock()
}

// Start listens on a loopback port and forwards to target until the test
// ends.
func Start(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, cutLeft: -1, conns: map[net.Conn]bool{}}
	go p.accept()
	tb.Cleanup(p.Close)
	return p
}

// Close stops listening and drops every connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.cutAll()
}

// CutAfter arms a cut: once n more bytes have passed (in either direction,
// over all connections), every open connection is closed. The cut happens
// once; later connections pass freely until CutAfter is called again.
func (p *Proxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutLeft, p.cutDone = n, false
	p.mu.Unlock()
}

// Cut reports whether the armed cut has happened.
func (p *Proxy) Cut() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cutDone
}

// Disarm cancels a pending cut.
func (p *Proxy) Disarm() {
	p.mu.Lock()
	p.cutLeft = -1
	p.mu.Unlock()
}

// RoundTrips counts how often a client sent data after having received
// some, over all connections, since the last ResetRoundTrips.
func (p *Proxy) RoundTrips() int64 { return p.turns.Load() }

// ResetRoundTrips starts counting afresh.
func (p *Proxy) ResetRoundTrips() { p.turns.Store(0) }

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		p.mu.Lock()
		delay := p.latency
		p.mu.Unlock()
		var lastFromServer atomic.Bool
		go p.pipe(s, c, delay, func() {
			if lastFromServer.Swap(false) {
				p.turns.Add(1)
			}
		})
		go p.pipe(c, s, delay, func() { lastFromServer.Store(true) })
	}
}

// pipe copies src to dst; a cut lands on the exact byte (allow trims the
// chunk), onData runs before each chunk, which is delivered delay after
// it was read.
func (p *Proxy) pipe(dst, src net.Conn, delay time.Duration, onData func()) {
	type chunk struct {
		data []byte
		due  time.Time
		cut  bool
	}
	queue := make(chan chunk, 4096)
	go func() {
		defer dst.Close()
		for c := range queue {
			if d := time.Until(c.due); d > 0 {
				time.Sleep(d)
			}
			if len(c.data) > 0 {
				if _, err := dst.Write(c.data); err != nil {
					return
				}
			}
			if c.cut {
				p.cutAll()
				return
			}
		}
	}()
	defer close(queue)
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			pass, cut := p.allow(n)
			if pass > 0 {
				onData()
			}
			queue <- chunk{data: append([]byte(nil), buf[:pass]...), due: time.Now().Add(delay), cut: cut}
			if cut {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// allow consumes up to n bytes of the cut budget and returns how many may
// pass, and whether the budget ran out now (the caller then cuts).
func (p *Proxy) allow(n int) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cutLeft < 0 {
		return n, false
	}
	if int64(n) < p.cutLeft {
		p.cutLeft -= int64(n)
		return n, false
	}
	pass := int(p.cutLeft)
	p.cutLeft, p.cutDone = -1, true
	return pass, true
}

func (p *Proxy) cutAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	for c := range conns {
		c.Close()
	}
}
