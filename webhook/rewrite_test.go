package webhook_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

func TestRewriteValuesKeepsEveryOtherByte(t *testing.T) {
	g := NewWithT(t)
	body := "{\n \"EventTime\" : 1703589922780,\"RoomInfo\":{\"CreateTime\":1703589922, \"Category\":[1, 2],\"Big\":144115216631667826123,\n\"Name\":\"a\\u00e9\"},\"X\":[{\"EventTime\":5}],\"n\":null}"
	var paths []string
	out, err := webhook.RewriteValues([]byte(body), func(path []string, raw []byte) []byte {
		paths = append(paths, strings.Join(path, ".")+"="+string(raw))
		switch strings.Join(path, ".") {
		case "EventTime":
			return []byte("1")
		case "RoomInfo.Name":
			return []byte(`"b"`)
		}
		return nil
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(out)).To(Equal(strings.Replace(strings.Replace(body, "1703589922780", "1", 1), `"a\u00e9"`, `"b"`, 1)))
	g.Expect(paths).To(Equal([]string{"EventTime=1703589922780", "RoomInfo.CreateTime=1703589922", "RoomInfo.Category=1", "RoomInfo.Category=2",
		"RoomInfo.Big=144115216631667826123", `RoomInfo.Name="a\u00e9"`, "X.EventTime=5", "n=null"}))

	same, err := webhook.RewriteValues([]byte(body), func([]string, []byte) []byte { return nil })
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(same)).To(Equal(body))
	_, err = webhook.RewriteValues([]byte(`{"a":`), func([]string, []byte) []byte { return nil })
	g.Expect(err).To(MatchError(ContainSubstring("rewrite:")))
}
