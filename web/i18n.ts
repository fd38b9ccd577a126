/** Interface languages. */
export type Locale = "en" | "ko";

const STRINGS = {
  en: {
    library: "Library",
    home: "Home",
    latest: "The library",
    items: "items",
    caseStudy: "Case study",
    pathway: "Pathway",
    dataset: "Dataset",
    all: "All",
    city: "City",
    version: "Version",
    updated: "Updated",
    published: "Published",
    signedBy: "Signed by",
    signatureValid: "signature valid",
    history: "Version history",
    rawDocument: "Signed document and JWS",
    noItems: "No items yet.",
    previous: "Previous",
    next: "Next",
    deleted: "This item was deleted by its city.",
    notFound: "Not found",
    tags: "Tags",
    themes: "Themes",
    language: "Language",
    provenance: "Provenance",
    skip: "Skip to content",
  },
  ko: {
    library: "자료실",
    home: "홈",
    latest: "자료실",
    items: "건",
    caseStudy: "사례 연구",
    pathway: "정책 수출 경로",
    dataset: "데이터셋",
    all: "전체",
    city: "도시",
    version: "버전",
    updated: "수정일",
    published: "게시일",
    signedBy: "서명",
    signatureValid: "서명 유효",
    history: "버전 기록",
    rawDocument: "서명된 문서와 JWS",
    noItems: "아직 항목이 없습니다.",
    previous: "이전",
    next: "다음",
    deleted: "이 항목은 해당 도시가 삭제했습니다.",
    notFound: "찾을 수 없음",
    tags: "태그",
    themes: "주제",
    language: "언어",
    provenance: "출처",
    skip: "본문 바로가기",
  },
} as const;

/** The interface strings of one language. */
export type Strings = { readonly [K in keyof (typeof STRINGS)["en"]]: string };

/** The interface strings for a locale. */
export function stringsFor(locale: Locale): Strings {
  return STRINGS[locale];
}

/** Picks the interface language from an `Accept-Language` header (Korean if preferred, else English). */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return "en";
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag, q } of ranked) {
    if (q <= 0) continue;
    if (tag.startsWith("ko")) return "ko";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}
