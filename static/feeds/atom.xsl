<?xml version="1.0" encoding="utf-8"?>
<!-- How a browser shows the site's Atom feeds: as a page that says what a
     feed is and how to follow it, with the latest changes. Feed readers
     ignore this stylesheet and read the feed itself. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="en" dir="ltr">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="content">
          <h1><xsl:value-of select="atom:title"/></h1>
          <p><xsl:value-of select="atom:subtitle"/></p>
          <section aria-labelledby="follow-title">
            <h2 id="follow-title">How to follow these changes</h2>
            <p>This page is a news feed (Atom). To hear of each change as it is published, copy this page's
              address into a feed reader (many email programs and news apps read feeds too). Nothing to install here,
              and no account needed.</p>
            <p><a href="{atom:link[@rel='alternate']/@href}">See the same changes on the site</a></p>
          </section>
          <section aria-labelledby="latest-title">
            <h2 id="latest-title">Latest changes</h2>
            <xsl:choose>
              <xsl:when test="atom:entry">
                <ol class="feed-entries">
                  <xsl:for-each select="atom:entry">
                    <li>
                      <p><strong><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></strong></p>
                      <p><time datetime="{atom:updated}"><xsl:value-of select="substring(atom:updated, 1, 10)"/></time>:
                        <xsl:value-of select="atom:summary"/></p>
                    </li>
                  </xsl:for-each>
                </ol>
              </xsl:when>
              <xsl:otherwise><p>No change has been published here yet.</p></xsl:otherwise>
            </xsl:choose>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
