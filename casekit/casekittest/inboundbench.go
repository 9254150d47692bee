package casekittest

import (
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"casekit.dev/casekit"
	"casekit.dev/casekit/store"
	"casekit.dev/storage/fsblob"
)

// realisticMail is a mail of about 20 KB as mail clients send it: a
// multipart/alternative reply with a text and an HTML part, the quoted
// history under the new text, and the headers of a real client. With a
// reply address it answers a case; without, it opens one.
func realisticMail(i int, to string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from mx.example.com (mx.example.com [192.0.2.1]) by mail.acme.example; Mon, 23 Nov 2026 10:00:%02d +0100\r\n", i%60)
	fmt.Fprintf(&b, "From: Customer %d <customer%d@example.com>\r\nTo: %s\r\nSubject: Re: Order %d arrived damaged\r\n", i, i%50, to, 1000+i)
	fmt.Fprintf(&b, "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <bench-%d@mail.example.com>\r\nMIME-Version: 1.0\r\n", i)
	b.WriteString("X-Mailer: Microsoft Outlook 16.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n")
	line := "The box was crushed on one side and the handle of the kettle is broken off; photos follow."
	quote := strings.Repeat("> "+line+"\r\n", 95)
	b.WriteString("--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.WriteString(strings.Repeat(line+"\r\n", 10) + "\r\nOn Sun, 22 Nov 2026 at 18:00, Acme Help <help@acme.example> wrote:\r\n" + quote)
	b.WriteString("--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><div>")
	b.WriteString(strings.Repeat("<p>"+line+"</p>\r\n", 10))
	b.WriteString("<blockquote type=\"cite\">" + strings.Repeat("<p>"+line+"</p>\r\n", 95) + "</blockquote></div></body></html>\r\n--b1--\r\n")
	return []byte(b.String())
}

// benchmarkInbound takes b.N realistic 20 KB mails through
// Desk.Inbound, one at a time, every other one a reply to one of 50
// cases by its reply address; reports mails/s and the latency at p50 and
// p95.
func benchmarkInbound(b *testing.B, store store.Store) {
	e := NewEnv(b, store)
	ctx := b.Context()
	must(b, e.Agent().Config().SaveMailSettings(ctx, casekit.MailSettings{Address: "help@acme.example"}), "SaveMailSettings")
	var replyTo []string
	for i := range 50 {
		c := openWith(b, e.Agent(), casekit.NewCase{Subject: fmt.Sprintf("Order %d", i), Contact: casekit.Contact{Email: fmt.Sprintf("customer%d@example.com", i)}})
		replyTo = append(replyTo, try(e.Agent().ReplyAddress(ctx, c.ID)).get(b))
	}
	mails := make([][]byte, b.N)
	for i := range mails {
		to := "help@acme.example"
		if i%2 == 1 {
			to = replyTo[i%50]
		}
		mails[i] = realisticMail(i, to)
	}
	sys := e.Desk(casekit.System)
	took := make([]time.Duration, 0, b.N)
	b.SetBytes(int64(len(mails[0])))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		t0 := time.Now()
		if _, err := sys.Inbound(ctx, casekit.InboundMail{Raw: mails[i]}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(len(took))/elapsed.Seconds(), "mails/s")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}

// benchmarkInboundLargest takes the largest mail Inbound allows (40 MiB:
// three 9.5 MiB attachments in base64, kept in a blob store) and reports
// the heap's peak above what it held before, sampled every millisecond.
func benchmarkInboundLargest(b *testing.B, store store.Store) {
	blobs, err := fsblob.New(b.TempDir())
	must(b, err, "fsblob.New")
	e := NewEnv(b, store, casekit.WithBlobStore(blobs))
	ctx := b.Context()
	file := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("%PDF-1.4 scanned page ", 9_500_000/22)))
	var raw strings.Builder
	raw.WriteString("From: Ada <ada@example.com>\r\nTo: help@acme.example\r\nSubject: Scans\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	raw.WriteString("--b\r\nContent-Type: text/plain\r\n\r\nThe scans.\r\n")
	for i := range 3 {
		fmt.Fprintf(&raw, "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
		for j := 0; j < len(file); j += 76 {
			raw.WriteString(file[j:min(j+76, len(file))] + "\r\n")
		}
	}
	raw.WriteString("--b--\r\n")
	mail := []byte(raw.String())
	if len(mail) > 40<<20 {
		b.Fatalf("the mail is %d bytes, over the limit", len(mail))
	}
	var peak atomic.Uint64
	for range b.N {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
					peak.Store(m.HeapAlloc - base)
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		res, err := e.Desk(casekit.System).Inbound(ctx, casekit.InboundMail{Raw: mail})
		close(stop)
		<-done
		if err != nil || res.Message == nil || len(res.Message.Attachments) != 3 {
			b.Fatalf("the largest mail: %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(len(mail))/(1<<20), "mail-MiB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
