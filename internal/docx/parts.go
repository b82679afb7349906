package docx

import (
	"archive/zip"
	"fmt"
	"io"
	"strings"
	"time"
)

// part is one file of the package.
type part struct {
	name string
	body string
}

// writePackage zips the parts in order. Every entry carries the same
// time, so the same input gives the same bytes.
func writePackage(w io.Writer, at time.Time, parts []part) error {
	zw := zip.NewWriter(w)
	if at.IsZero() || at.Year() < 1980 {
		at = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for _, p := range parts {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: at.UTC()})
		if err != nil {
			return fmt.Errorf("docx: write %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return fmt.Errorf("docx: write %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("docx: close package: %w", err)
	}
	return nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const contentTypes = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`<Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/>` +
	`</Types>`

const packageRels = xmlHeader + `<Relationships xmlns="` + nsRels + `">` +
	`<Relationship Id="rId1" Type="` + relDocument + `" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="` + relCore + `" Target="docProps/core.xml"/>` +
	`</Relationships>`

const itemRels = xmlHeader + `<Relationships xmlns="` + nsRels + `">` +
	`<Relationship Id="rId1" Type="` + relItemProps + `" Target="itemProps1.xml"/>` +
	`</Relationships>`

const itemProps = xmlHeader + `<ds:datastoreItem ds:itemID="{6D0C9E61-3F0B-4C55-9A4E-6D6F75646573}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">` +
	`<ds:schemaRefs><ds:schemaRef ds:uri="` + nsMeta + `"/></ds:schemaRefs></ds:datastoreItem>`

// documentRels are the main part's relationships; links are external
// hyperlinks, numbered from rId10.
func documentRels(links []string) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<Relationships xmlns="` + nsRels + `">`)
	b.WriteString(`<Relationship Id="rId1" Type="` + relStyles + `" Target="styles.xml"/>`)
	b.WriteString(`<Relationship Id="rId2" Type="` + relNumbering + `" Target="numbering.xml"/>`)
	b.WriteString(`<Relationship Id="rId3" Type="` + relSettings + `" Target="settings.xml"/>`)
	b.WriteString(`<Relationship Id="rId4" Type="` + relFooter + `" Target="footer1.xml"/>`)
	b.WriteString(`<Relationship Id="rId5" Type="` + relCustomXML + `" Target="../customXml/item1.xml"/>`)
	for i, l := range links {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="%s" Target="%s" TargetMode="External"/>`, 10+i, relLink, esc(l))
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

func coreProps(title string, at time.Time) string {
	ts := at.UTC().Format(time.RFC3339)
	return xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc(title) + `</dc:title><dc:creator>moudesk</dc:creator>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:created>` +
		`<dcterms:modified xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:modified>` +
		`</cp:coreProperties>`
}

// settings turns on change tracking in a redline, so an attorney's own
// edits to it are tracked too.
func settings(track bool) string {
	t := ""
	if track {
		t = `<w:trackRevisions/>`
	}
	return xmlHeader + `<w:settings xmlns:w="` + nsW + `">` + t +
		`<w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`
}

func footer(text string) string {
	return xmlHeader + `<w:ftr xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>` +
		`<w:r><w:t xml:space="preserve">` + esc(text) + ` · page </w:t></w:r>` +
		`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>` +
		`</w:p></w:ftr>`
}

// Style IDs this package writes and recognises on import.
const (
	styleTitle       = "Title"
	styleSection     = "Heading2"
	styleListPara    = "ListParagraph"
	styleListCont    = "ListContinue"
	styleQuote       = "Quote"
	styleCode        = "SourceCode"
	styleRule        = "HorizontalRule"
	styleSigHeading  = "MoudeskSignatures"
	styleSignature   = "MoudeskSignature"
	numSectionID     = 1 // w:num of the section headings
	abstractSection  = 0
	abstractBullet   = 1
	abstractOrdered  = 2
	firstListNumID   = 2
	indentPerLevelTw = 720
)

var stylesXML = xmlHeader + `<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
	`<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="140" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style>` +
	headingStyle(1, 30) + sectionHeadingStyle() + headingStyle(3, 24) + headingStyle(4, 22) + headingStyle(5, 22) + headingStyle(6, 22) +
	`<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="ListContinue"><w:name w:val="List Continue"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="720"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:left="720" w:right="720"/></w:pPr><w:rPr><w:i/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="SourceCode"><w:name w:val="Source Code"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:sz w:val="20"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="HorizontalRule"><w:name w:val="Horizontal Rule"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="808080"/></w:pBdr></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="MoudeskSignatures"><w:name w:val="Signatures Heading"/><w:basedOn w:val="Normal"/><w:next w:val="MoudeskSignature"/>` +
	`<w:pPr><w:keepNext/><w:pageBreakBefore/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="MoudeskSignature"><w:name w:val="Signature Line"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:keepLines/><w:spacing w:after="60"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="16"/></w:rPr></w:style>` +
	`<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`</w:tblBorders><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>` +
	`<w:tblStylePr w:type="firstRow"><w:rPr><w:b/></w:rPr></w:tblStylePr></w:style>` +
	`</w:styles>`

func headingStyle(level, halfPoints int) string {
	return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="Heading%d"><w:name w:val="heading %d"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>`+
		`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="100"/><w:outlineLvl w:val="%d"/></w:pPr><w:rPr><w:b/><w:sz w:val="%d"/></w:rPr></w:style>`,
		level, level, level-1, halfPoints)
}

// sectionHeadingStyle is Heading 2, numbered "1.", "2.", … by Word, so a
// section inserted in Word renumbers the ones after it.
func sectionHeadingStyle() string {
	return fmt.Sprintf(`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>`+
		`<w:pPr><w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="%d"/></w:numPr><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>`,
		numSectionID)
}

var bulletGlyphs = []string{"•", "◦", "▪"}

// numbering is the numbering part: the section headings' numbers, one
// bullet and one ordered list definition, and one w:num per list of the
// document so that each ordered list restarts at its own first number.
func numbering(lists []listInstance) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<w:numbering xmlns:w="` + nsW + `">`)
	fmt.Fprintf(&b, `<w:abstractNum w:abstractNumId="%d"><w:multiLevelType w:val="singleLevel"/>`+
		`<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="%%1."/><w:lvlJc w:val="left"/>`+
		`<w:pPr><w:ind w:left="620" w:hanging="620"/></w:pPr></w:lvl></w:abstractNum>`, abstractSection)
	fmt.Fprintf(&b, `<w:abstractNum w:abstractNumId="%d"><w:multiLevelType w:val="hybridMultilevel"/>`, abstractBullet)
	for l := 0; l < 9; l++ {
		fmt.Fprintf(&b, `<w:lvl w:ilvl="%d"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="%s"/><w:lvlJc w:val="left"/>`+
			`<w:pPr><w:ind w:left="%d" w:hanging="360"/></w:pPr></w:lvl>`, l, bulletGlyphs[l%3], (l+1)*indentPerLevelTw)
	}
	b.WriteString(`</w:abstractNum>`)
	fmt.Fprintf(&b, `<w:abstractNum w:abstractNumId="%d"><w:multiLevelType w:val="hybridMultilevel"/>`, abstractOrdered)
	for l := 0; l < 9; l++ {
		fmtv, text := "decimal", fmt.Sprintf("%%%d.", l+1)
		if l%2 == 1 {
			fmtv, text = "lowerLetter", fmt.Sprintf("(%%%d)", l+1)
		}
		fmt.Fprintf(&b, `<w:lvl w:ilvl="%d"><w:start w:val="1"/><w:numFmt w:val="%s"/><w:lvlText w:val="%s"/><w:lvlJc w:val="left"/>`+
			`<w:pPr><w:ind w:left="%d" w:hanging="360"/></w:pPr></w:lvl>`, l, fmtv, text, (l+1)*indentPerLevelTw)
	}
	b.WriteString(`</w:abstractNum>`)
	fmt.Fprintf(&b, `<w:num w:numId="%d"><w:abstractNumId w:val="%d"/></w:num>`, numSectionID, abstractSection)
	for _, l := range lists {
		abs := abstractBullet
		if l.ordered {
			abs = abstractOrdered
		}
		fmt.Fprintf(&b, `<w:num w:numId="%d"><w:abstractNumId w:val="%d"/>`, l.numID, abs)
		if l.ordered {
			fmt.Fprintf(&b, `<w:lvlOverride w:ilvl="%d"><w:startOverride w:val="%d"/></w:lvlOverride>`, l.level, max(l.start, 0))
		}
		b.WriteString(`</w:num>`)
	}
	b.WriteString(`</w:numbering>`)
	return b.String()
}

// listInstance is one list of the document as a w:num.
type listInstance struct {
	numID   int
	ordered bool
	level   int
	start   int
}
