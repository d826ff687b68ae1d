package core

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// EventKind names an entry of the event log (docs/scenarios.md, "Event log").
type EventKind uint8

// The event log's kinds. Names and fields are part of the user contract: add, never rename.
const (
	EvSubmitted EventKind = iota
	EvToURS
	EvAppStopped
	EvAppStarted
	EvActivated
	EvDeactivated
	EvESPRequest
	EvESPFault
	EvReserved
	EvReserveDenied
	EvDelivered
	EvAccepted
	EvRevoked
	EvCompleted
	EvConfigChanged
	EvDAPFailover
	EvSwitchover
	EvClusterJoined
	EvClusterLeft
	EvPlacedInQueue
	EvHeld
	EvRoutingTimeout
	EvDoubleBooked
	EvAbandoned
	EvProlonged
	EvStaleRestored
	EvRestoredOverCapacity
	EvHeldReleased
	EvRestoredToAgent
	EvFinishedUnheard
	EvTouched
	numEventKinds
)

// field identifies one optional field of an Event in its JSON line.
type field uint8

const (
	fIxn field = iota
	fMedia
	fQueue
	fBy
	fStrategy
	fURS
	fResubmission
	fApp
	fVia
	fService
	fMethod
	fServer
	fCode
	fAgent
	fReason
	fDetail
	fFrom
	fTo
	fCluster
	// Times in virtual seconds, written only when not 0 (optional: a line without them is as it
	// always was).
	fReceived
	fAbandonedAt
)

var fieldNames = [...]string{"ixn", "media", "queue", "by", "strategy", "urs", "resubmission", "app",
	"via", "service", "method", "server", "code", "agent", "reason", "detail", "from", "to", "cluster",
	"received", "abandoned_at"}

// optional fields are written only when they have a value.
func (f field) optional() bool { return f == fReceived || f == fAbandonedAt }

var eventSchemas = [numEventKinds]struct {
	name   string
	fields []field
}{
	// received: the customer arrived earlier, and a media server held the arrival until now.
	EvSubmitted:      {"submitted", []field{fIxn, fMedia, fQueue, fBy, fReceived}},
	EvToURS:          {"to_urs", []field{fIxn, fStrategy, fURS, fResubmission}},
	EvAppStopped:     {"app_stopped", []field{fApp}},
	EvAppStarted:     {"app_started", []field{fApp}},
	EvActivated:      {"activated", []field{fStrategy, fURS}},
	EvDeactivated:    {"deactivated", []field{fStrategy, fURS}},
	EvESPRequest:     {"esp_request", []field{fIxn, fVia, fService, fMethod, fServer}},
	EvESPFault:       {"esp_fault", []field{fIxn, fServer, fCode}},
	EvReserved:       {"reserved", []field{fIxn, fAgent, fURS}},
	EvReserveDenied:  {"reserve_denied", []field{fIxn, fAgent, fURS}},
	EvDelivered:      {"delivered", []field{fIxn, fAgent}},
	EvAccepted:       {"accepted", []field{fIxn, fAgent}},
	EvRevoked:        {"revoked", []field{fIxn, fAgent, fReason}},
	EvCompleted:      {"completed", []field{fIxn}},
	EvConfigChanged:  {"config_changed", []field{fApp, fDetail}},
	EvDAPFailover:    {"dap_failover", []field{fFrom, fTo}},
	EvSwitchover:     {"switchover", []field{fFrom, fTo}},
	EvClusterJoined:  {"cluster_joined", []field{fCluster, fApp}},
	EvClusterLeft:    {"cluster_left", []field{fCluster, fApp}},
	EvPlacedInQueue:  {"placed_in_queue", []field{fIxn, fQueue, fURS}},
	EvHeld:           {"held", []field{fApp, fReason}},
	EvRoutingTimeout: {"routing_timeout", []field{fIxn, fURS}},
	EvDoubleBooked:   {"double_booked", []field{fIxn, fAgent, fURS}},
	// abandoned_at: the customer gave up earlier, while a media server or no IS held the
	// interaction; the row is closed now with that time.
	EvAbandoned: {"abandoned", []field{fIxn, fQueue, fAbandonedAt}},
	// The same URS renewed a reservation of the agent that outlived its interaction
	// (reject-subsequent-request: false).
	EvProlonged: {"reservation_prolonged", []field{fIxn, fAgent, fURS}},
	// A restore put back a row whose interaction an agent finished under another IS.
	EvStaleRestored: {"stale_restored", []field{fIxn, fQueue}},
	// A restore put an interaction back on an agent already at capacity.
	EvRestoredOverCapacity: {"restored_over_capacity", []field{fIxn, fAgent}},
	EvHeldReleased:         {"held_released", []field{fApp, fReason}},
	// A restore put an interaction on an agent as new work (a new handle time): the agent holds it
	// from here, as from a delivery.
	EvRestoredToAgent: {"restored_to_agent", []field{fIxn, fAgent}},
	// An agent finished work no Interaction Server follows (lost to a switchover or a restore, or
	// revoked by handling-timeout): its hold on the agent ends here, without a completed.
	EvFinishedUnheard: {"finished_unheard", []field{fIxn, fAgent}},
	// A failure reached the interaction for the first time (service.Q.touched): why.
	EvTouched: {"touched", []field{fIxn, fQueue, fReason}},
}

func (k EventKind) String() string { return eventSchemas[k].name }

// EventKindNames lists every kind's name, in declaration order.
func EventKindNames() []string {
	names := make([]string, numEventKinds)
	for i := range names {
		names[i] = eventSchemas[i].name
	}
	return names
}

// Event is one entry of the event log. Only the fields of its kind are meaningful.
type Event struct {
	T            int64 // virtual nanoseconds
	Seq          uint64
	Kind         EventKind
	Ixn          int64
	Media        string
	Queue        string
	By           string
	Strategy     string
	URS          string
	Resubmission bool
	App          string
	Via          string
	Service      string
	Method       string
	Server       string
	Code         string
	Agent        string
	Reason       string
	Detail       string
	From         string
	To           string
	Cluster      string
	Received     int64 // virtual nanoseconds; 0: not given
	AbandonedAt  int64 // virtual nanoseconds; 0: not given
}

// Seconds is the event's virtual time in seconds, as the log writes it.
func (e *Event) Seconds() float64 { return float64(e.T) / 1e9 }

// Field returns the text of a named field ("" when the kind has no such field), for filters.
func (e *Event) Field(name string) string {
	for _, f := range eventSchemas[e.Kind].fields {
		if fieldNames[f] == name {
			return string(e.appendField(nil, f))
		}
	}
	return ""
}

// AppendJSON appends the event's log line (no newline). Field order is fixed per kind, so equal
// events give equal bytes: the event log's determinism rests on it.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"t":`...)
	b = appendSeconds(b, e.T)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, kindKeys[e.Kind]...)
	for _, f := range eventSchemas[e.Kind].fields {
		if f.optional() && e.timeField(f) == 0 {
			continue
		}
		b = append(b, fieldKeys[f]...)
		b = e.appendFieldJSON(b, f)
	}
	return append(b, '}')
}

// appendRecord appends the event as a binary record: its time, seq and kind, then its kind's
// fields in order (ixn as 8 bytes, resubmission as one, names with their length first). Two
// events have the same record exactly when they have the same log line, and it costs a fraction
// of the line to make: a resume's replay checks its events by the records' hash (ResumeState's
// ReplayHash), without encoding the lines nobody reads.
func (e *Event) appendRecord(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(e.T))
	b = binary.LittleEndian.AppendUint64(b, e.Seq)
	b = append(b, byte(e.Kind))
	for _, f := range eventSchemas[e.Kind].fields {
		switch f {
		case fIxn:
			b = binary.LittleEndian.AppendUint64(b, uint64(e.Ixn))
		case fReceived, fAbandonedAt: // 0 where the line leaves the field out
			b = binary.LittleEndian.AppendUint64(b, uint64(e.timeField(f)))
		case fResubmission:
			v := byte(0)
			if e.Resubmission {
				v = 1
			}
			b = append(b, v)
		default:
			s := e.str(f)
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return b
}

func (e *Event) timeField(f field) int64 {
	switch f {
	case fReceived:
		return e.Received
	case fAbandonedAt:
		return e.AbandonedAt
	}
	return 0
}

// kindKeys and fieldKeys are the constant parts of a line, made once: `,"kind":"to_urs"` and
// `,"ixn":`, so a line is a handful of appends.
var kindKeys, fieldKeys = func() ([]string, []string) {
	kinds := make([]string, numEventKinds)
	for i := range kinds {
		kinds[i] = `,"kind":"` + eventSchemas[i].name + `"`
	}
	fields := make([]string, len(fieldNames))
	for i, n := range fieldNames {
		fields[i] = `,"` + n + `":`
	}
	return kinds, fields
}()

func (e *Event) appendFieldJSON(b []byte, f field) []byte {
	if f == fIxn || f == fResubmission || f.optional() {
		return e.appendField(b, f) // numbers and booleans are their own JSON
	}
	return appendJSONString(b, e.str(f))
}

func (e *Event) appendField(b []byte, f field) []byte {
	switch f {
	case fIxn:
		return strconv.AppendInt(b, e.Ixn, 10)
	case fResubmission:
		return strconv.AppendBool(b, e.Resubmission)
	case fReceived, fAbandonedAt:
		if e.timeField(f) == 0 {
			return b
		}
		return appendSeconds(b, e.timeField(f))
	}
	return append(b, e.str(f)...)
}

func (e *Event) str(f field) string {
	switch f {
	case fMedia:
		return e.Media
	case fQueue:
		return e.Queue
	case fBy:
		return e.By
	case fStrategy:
		return e.Strategy
	case fURS:
		return e.URS
	case fApp:
		return e.App
	case fVia:
		return e.Via
	case fService:
		return e.Service
	case fMethod:
		return e.Method
	case fServer:
		return e.Server
	case fCode:
		return e.Code
	case fAgent:
		return e.Agent
	case fReason:
		return e.Reason
	case fDetail:
		return e.Detail
	case fFrom:
		return e.From
	case fTo:
		return e.To
	case fCluster:
		return e.Cluster
	}
	return ""
}

const hexDigits = "0123456789abcdef"

// appendSeconds writes virtual nanoseconds as decimal seconds with no trailing zeros ("12.5",
// "0.000001", "600"): exact, and several times cheaper than formatting a float.
func appendSeconds(b []byte, ns int64) []byte {
	if ns < 0 {
		b = append(b, '-')
		ns = -ns
	}
	b = strconv.AppendInt(b, ns/1e9, 10)
	frac := ns % 1e9
	if frac == 0 {
		return b
	}
	n := 9
	for frac%10 == 0 {
		frac /= 10
		n--
	}
	var digits [10]byte
	digits[0] = '.'
	for i := n; i > 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, digits[:n+1]...)
}

// appendJSONString appends s as a JSON string. Names are almost always plain ASCII, so the fast
// path copies them whole.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// EventSink receives every event of the log in order, with its encoded line (no newline). line is
// only valid during the call. Sinks run on the engine's goroutine and must not call the engine.
type EventSink interface {
	Event(e *Event, line []byte)
}

// eventJSON mirrors a log line for ParseEventLine.
type eventJSON struct {
	T            json.Number `json:"t"`
	Seq          uint64      `json:"seq"`
	Kind         string      `json:"kind"`
	Ixn          int64       `json:"ixn"`
	Media        string      `json:"media"`
	Queue        string      `json:"queue"`
	By           string      `json:"by"`
	Strategy     string      `json:"strategy"`
	URS          string      `json:"urs"`
	Resubmission bool        `json:"resubmission"`
	App          string      `json:"app"`
	Via          string      `json:"via"`
	Service      string      `json:"service"`
	Method       string      `json:"method"`
	Server       string      `json:"server"`
	Code         string      `json:"code"`
	Agent        string      `json:"agent"`
	Reason       string      `json:"reason"`
	Detail       string      `json:"detail"`
	From         string      `json:"from"`
	To           string      `json:"to"`
	Cluster      string      `json:"cluster"`
	Received     json.Number `json:"received"`
	AbandonedAt  json.Number `json:"abandoned_at"`
}

// ParseEventLine reads one line of the event log back into an Event (a stored history, a log
// file). AppendJSON of the result gives the same line back.
func ParseEventLine(line []byte) (Event, error) {
	var j eventJSON
	if err := json.Unmarshal(line, &j); err != nil {
		return Event{}, fmt.Errorf("event line: %w", err)
	}
	kind := -1
	for i := range eventSchemas {
		if eventSchemas[i].name == j.Kind {
			kind = i
			break
		}
	}
	if kind < 0 {
		return Event{}, fmt.Errorf("event line: unknown kind %q", j.Kind)
	}
	ns, ok := parseSeconds([]byte(j.T))
	if !ok {
		return Event{}, fmt.Errorf("event line: t: bad seconds %q", j.T)
	}
	ev := Event{T: ns, Seq: j.Seq, Kind: EventKind(kind), Ixn: j.Ixn, Media: j.Media, Queue: j.Queue, By: j.By,
		Strategy: j.Strategy, URS: j.URS, Resubmission: j.Resubmission, App: j.App, Via: j.Via, Service: j.Service,
		Method: j.Method, Server: j.Server, Code: j.Code, Agent: j.Agent, Reason: j.Reason, Detail: j.Detail,
		From: j.From, To: j.To, Cluster: j.Cluster}
	for _, f := range []struct {
		name string
		text json.Number
		to   *int64
	}{{"received", j.Received, &ev.Received}, {"abandoned_at", j.AbandonedAt, &ev.AbandonedAt}} {
		if f.text == "" {
			continue
		}
		if *f.to, ok = parseSeconds([]byte(f.text)); !ok {
			return Event{}, fmt.Errorf("event line: %s: bad seconds %q", f.name, f.text)
		}
	}
	return ev, nil
}
