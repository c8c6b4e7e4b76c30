import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Error, errorXml, xmlEscape } from '../../main/regions/errors.js';
import { S3_XMLNS, asArray, buildXml, parseXml } from '../../main/regions/xml.js';
import { catchS3Error as s3Error } from '../helpers/s3-errors.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

test('S3Error carries code, status, message and extra fields', () => {
  const err = new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: 'k' });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'S3Error');
  assert.equal(err.code, 'NoSuchKey');
  assert.equal(err.status, 404);
  assert.equal(err.message, 'The specified key does not exist.');
  assert.deepEqual(err.fields, { Key: 'k' });
  assert.deepEqual(new S3Error('AccessDenied', 403, 'Access Denied').fields, {});
});

test('errorXml writes Code, Message, Resource, RequestId, then the extra fields, escaped', () => {
  const err = new S3Error('NoSuchKey', 404, 'Key <a&b> missing', { Key: 'a&b', BucketName: 'bkt' });
  assert.equal(
    errorXml(err, '/bkt/a&b', 'REQ1'),
    `${DECL}<Error><Code>NoSuchKey</Code><Message>Key &lt;a&amp;b&gt; missing</Message>` +
      '<Resource>/bkt/a&amp;b</Resource><RequestId>REQ1</RequestId>' +
      '<Key>a&amp;b</Key><BucketName>bkt</BucketName></Error>',
  );
});

test('errorXml output parses back, and skips field names that are not XML names', () => {
  const err = new S3Error('SignatureDoesNotMatch', 403, 'no', {
    StringToSign: 'AWS4-HMAC-SHA256\n2013\nscope\nabc',
    'bad name': 'x',
    '<x>': 'y',
  });
  const xml = errorXml(err, '/b', 'R');
  assert.ok(!xml.includes('bad name'));
  assert.ok(!xml.includes('<<x>'));
  const doc = parseXml(xml) as { Error: Record<string, string> };
  assert.equal(doc.Error.Code, 'SignatureDoesNotMatch');
  assert.equal(doc.Error.StringToSign, 'AWS4-HMAC-SHA256\n2013\nscope\nabc');
  assert.equal(doc.Error.RequestId, 'R');
});

test('xmlEscape covers markup, quotes, CR/LF/TAB, control characters and lone surrogates', () => {
  assert.equal(
    xmlEscape(`<a href="x">'&'</a>`),
    '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
  );
  assert.equal(xmlEscape('a\r\nb\tc\u0001'), 'a&#xD;&#xA;b&#x9;c&#x1;');
  assert.equal(xmlEscape('emoji 😀 ü'), 'emoji 😀 ü');
  assert.equal(xmlEscape('lone \ud800 x'), 'lone \ufffd x');
  assert.equal(xmlEscape('plain'), 'plain');
});

test('buildXml adds the declaration and the S3 namespace on the root', () => {
  assert.equal(
    buildXml('VersioningConfiguration', { Status: 'Enabled' }),
    `${DECL}<VersioningConfiguration xmlns="${S3_XMLNS}"><Status>Enabled</Status></VersioningConfiguration>`,
  );
  assert.equal(
    buildXml('Tagging', {}),
    `${DECL}<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></Tagging>`,
  );
});

test('buildXml repeats arrays, writes Dates with milliseconds, skips undefined and null', () => {
  const xml = buildXml('ListBucketResult', {
    Name: 'bkt',
    KeyCount: 2,
    IsTruncated: false,
    Missing: undefined,
    Nothing: null,
    Contents: [
      { Key: 'a', LastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), Size: 0 },
      { Key: 'b', Owner: { ID: 'o' } },
    ],
    CommonPrefixes: [],
    Empty: '',
  });
  assert.equal(
    xml,
    `${DECL}<ListBucketResult xmlns="${S3_XMLNS}"><Name>bkt</Name><KeyCount>2</KeyCount>` +
      '<IsTruncated>false</IsTruncated>' +
      '<Contents><Key>a</Key><LastModified>2024-01-02T03:04:05.006Z</LastModified><Size>0</Size></Contents>' +
      '<Contents><Key>b</Key><Owner><ID>o</ID></Owner></Contents>' +
      '<Empty></Empty></ListBucketResult>',
  );
});

test('buildXml escapes text and attributes; keys survive a round trip exactly', () => {
  const keys = ['a&b<c>d', 'q"u\'o', 'cr\rlf\ntab\t', ' lead and trail ', 'ctl\u0001\u001f', 'ü😀'];
  const xml = buildXml('ListBucketResult', {
    Contents: keys.map((Key) => ({ Key })),
    Grantee: { '@_xsi:type': 'Canonical"User', ID: 'id' },
  });
  assert.ok(xml.includes('<Key>a&amp;b&lt;c&gt;d</Key>'));
  assert.ok(xml.includes('xsi:type="Canonical&quot;User"'));
  assert.ok(!xml.includes('\r') && !xml.includes('\u0001'));
  const doc = parseXml(xml) as { ListBucketResult: { Contents: { Key: string }[] } };
  assert.deepEqual(
    doc.ListBucketResult.Contents.map((c) => c.Key),
    keys,
  );
});

test('buildXml writes #text alongside attributes', () => {
  const xml = buildXml('R', { Grantee: { '@_type': 'Group', '#text': 'x<y' } });
  assert.ok(xml.endsWith('<Grantee type="Group">x&lt;y</Grantee></R>'), xml);
});

test('parseXml returns the root element, strings only, arrays for repeated elements', () => {
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Object>
    <Key>photos/2006/January/sample.jpg</Key>
    <VersionId>0123</VersionId>
  </Object>
  <Object><Key> spaced </Key><VersionId/></Object>
  <Quiet>true</Quiet>
</Delete>`;
  assert.deepEqual(parseXml(body), {
    Delete: {
      Object: [
        { Key: 'photos/2006/January/sample.jpg', VersionId: '0123' },
        { Key: ' spaced ', VersionId: '' },
      ],
      Quiet: 'true',
    },
  });
});

test('parseXml keeps numbers, booleans and exponent-like text as strings', () => {
  const doc = parseXml('<A><N>007</N><E>1e3</E><B>true</B><H>0x10</H></A>') as {
    A: Record<string, unknown>;
  };
  assert.deepEqual(doc.A, { N: '007', E: '1e3', B: 'true', H: '0x10' });
});

test('parseXml decodes the predefined entities, character references and CDATA', () => {
  const doc = parseXml(
    '<A><K>a&amp;b&lt;c&gt;&quot;&apos;</K><R>x&#x0D;&#x0A;y&#13;&#65;&#x1F600;</R>' +
      '<C><![CDATA[<raw>&amp;]]></C></A>',
  ) as { A: Record<string, string> };
  assert.equal(doc.A.K, 'a&b<c>"\'');
  assert.equal(doc.A.R, 'x\r\ny\rA😀');
  assert.equal(doc.A.C, '<raw>&amp;');
});

test('parseXml drops namespace prefixes and attributes', () => {
  const doc = parseXml(
    '<s3:Tagging xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:TagSet>' +
      '<s3:Tag a="1"><s3:Key>k</s3:Key><s3:Value>v</s3:Value></s3:Tag></s3:TagSet></s3:Tagging>',
  );
  assert.deepEqual(doc, { Tagging: { TagSet: { Tag: { Key: 'k', Value: 'v' } } } });
});

test('parseXml refuses malformed documents with MalformedXML 400', () => {
  const bad = [
    '',
    '   ',
    'not xml',
    '<A>',
    '<A></B>',
    '<A>a & b</A>',
    '<A>a < b</A>',
    '<A>x</A><B>y</B>',
    '<A/><A/>',
    '<A>&unknown;</A>',
    '<A>&#0;</A>',
    '<A>&#xD800;</A>',
    '<A>&#x110000;</A>',
    '<A><__proto__>x</__proto__></A>',
  ];
  for (const text of bad) {
    const err = s3Error(() => parseXml(text));
    assert.equal(err.code, 'MalformedXML', JSON.stringify(text));
    assert.equal(err.status, 400);
    assert.equal(
      err.message,
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
});

test('parseXml refuses DOCTYPE, so entities can never expand', () => {
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><A>&lol2;</A>';
  assert.equal(s3Error(() => parseXml(laughs)).code, 'MalformedXML');
  const external = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><A>&x;</A>';
  assert.equal(s3Error(() => parseXml(external)).code, 'MalformedXML');
  assert.equal(s3Error(() => parseXml('<!DOCTYPE a><A>1</A>')).code, 'MalformedXML');
});

test('parseXml limits nesting depth', () => {
  const deep = '<A>'.repeat(200) + '</A>'.repeat(200);
  assert.equal(s3Error(() => parseXml(deep)).code, 'MalformedXML');
});

test('asArray normalises one, many and none', () => {
  assert.deepEqual(asArray(undefined), []);
  assert.deepEqual(asArray('a'), ['a']);
  assert.deepEqual(asArray(['a', 'b']), ['a', 'b']);
  assert.deepEqual(asArray({ Key: 'k' }), [{ Key: 'k' }]);
  const doc = parseXml('<Delete><Object><Key>only</Key></Object></Delete>') as {
    Delete: { Object: { Key: string } | { Key: string }[] };
  };
  assert.deepEqual(
    asArray(doc.Delete.Object).map((o) => o.Key),
    ['only'],
  );
});
