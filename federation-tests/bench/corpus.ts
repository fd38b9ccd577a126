/**
 * A deterministic generator of schema-valid item drafts of realistic size (bodies of
 * 500–3,000 words), for benchmarks. Drafts have no managed fields: they are what an
 * editor POSTs.
 */

const WORDS = (
  "city residents service portal complaint response mobile vote survey call center tax payment online open data " +
  "dataset map spatial address permit license citizen participation budget council ordinance mayor department office " +
  "official digital platform system integration network broadband security privacy identity authentication record " +
  "archive transparency accountability performance indicator satisfaction survey feedback channel social media smart " +
  "sensor traffic transport bus subway parking housing welfare health education school library park environment air " +
  "quality water waste energy emergency safety disaster weather forecast analysis policy proposal idea pilot scale " +
  "adoption pathway phase step deliverable prerequisite leadership legal framework funding procurement vendor partner " +
  "university research training capacity skills staff workflow process standard interoperability cloud server " +
  "application interface accessibility inclusion elderly disabled language translation multilingual district " +
  "neighbourhood community volunteer engagement deliberation consultation petition answer resolve track status"
).split(" ");
const KOREAN =
  "서울 시민 민원 응답 모바일 투표 전자 정부 세금 납부 공간 정보 데이터 참여 상상 제안 행정 서비스 도시".split(" ");
const THEMES = [
  "citizen-participation",
  "service-delivery",
  "open-data",
  "digital-infrastructure",
  "smart-city",
  "e-voting",
  "taxation-and-finance",
  "geospatial",
  "transparency-and-accountability",
  "international-cooperation",
];
const CITIES: readonly [string, string][] = [
  ["Seoul", "KR"],
  ["Busan", "KR"],
  ["Ulaanbaatar", "MN"],
  ["Jakarta", "ID"],
  ["Tashkent", "UZ"],
  ["Lima", "PE"],
  ["Nairobi", "KE"],
  ["Hanoi", "VN"],
];
const KINDS = ["infrastructure", "legal", "leadership", "organisational", "financial", "skills", "data"];

/** A small seeded PRNG (mulberry32), so every run generates the same corpus. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function words(rand: () => number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(pick(rand, WORDS));
  return out.join(" ");
}

function sentence(rand: () => number, min: number, max: number): string {
  const s = words(rand, min + Math.floor(rand() * (max - min)));
  return `${s.charAt(0).toUpperCase() + s.slice(1)}.`;
}

function markdownBody(rand: () => number, totalWords: number): string {
  const parts: string[] = [];
  let count = 0;
  let section = 1;
  while (count < totalWords) {
    parts.push(`## ${sentence(rand, 3, 6).slice(0, -1)}`);
    for (let p = 0; p < 3 && count < totalWords; p++) {
      const n = 40 + Math.floor(rand() * 80);
      const sentences: string[] = [];
      let used = 0;
      while (used < n) {
        const s = sentence(rand, 8, 20);
        used += s.split(" ").length;
        sentences.push(s);
      }
      parts.push(sentences.join(" "));
      count += used;
    }
    if (section++ % 2 === 0)
      parts.push(`- ${words(rand, 6)}\n- ${words(rand, 7)}\n- **${words(rand, 3)}** ${words(rand, 5)}`);
  }
  return parts.join("\n\n");
}

/** One draft document number `i` of a corpus made with `seed`. */
export function generateDraft(i: number, seed = 1): Record<string, unknown> {
  const rand = createRandom(seed * 1_000_003 + i);
  const [city, country] = pick(rand, CITIES);
  const type = i % 5 === 3 ? "Pathway" : i % 5 === 4 ? "Dataset" : "CaseStudy";
  const title = `${sentence(rand, 5, 9).slice(0, -1)} ${i}`;
  const base: Record<string, unknown> = {
    type,
    title,
    summary: `${sentence(rand, 15, 30)} ${sentence(rand, 10, 25)}`,
    language: "en",
    city,
    country,
    themes: [...new Set([pick(rand, THEMES), pick(rand, THEMES)])],
    tags: [...new Set([pick(rand, WORDS), pick(rand, WORDS), pick(rand, WORDS)])],
    license: "CC-BY-4.0",
  };
  if (i % 7 === 0)
    base.translations = {
      ko: {
        title: `${pick(rand, KOREAN)} ${pick(rand, KOREAN)} ${i}`,
        summary: `${pick(rand, KOREAN)} ${pick(rand, KOREAN)} ${pick(rand, KOREAN)}.`,
      },
    };
  const bodyWords = 500 + Math.floor(rand() * 2500);
  if (type === "CaseStudy") {
    return {
      ...base,
      body: markdownBody(rand, bodyWords),
      startYear: 2000 + Math.floor(rand() * 24),
      status: pick(rand, ["pilot", "active", "scaled", "completed"]),
      problem: sentence(rand, 20, 40),
      approach: sentence(rand, 20, 40),
      outcomes: [{ metric: words(rand, 4), value: Math.floor(rand() * 100_000), unit: "people", year: 2020 }],
      timeline: [
        { date: "2012", event: sentence(rand, 5, 10) },
        { date: "2015-06", event: sentence(rand, 5, 10) },
      ],
      stakeholders: [{ name: `${city} Metropolitan Government`, role: "owner", sector: "public" }],
      technologies: ["mobile app", "web portal"],
      sdgs: [11, 16],
      lessons: [sentence(rand, 10, 20), sentence(rand, 10, 20)],
    };
  }
  if (type === "Pathway") {
    return {
      ...base,
      body: markdownBody(rand, bodyWords),
      case: `https://seoul.exchange.example/items/case-${i - 3}`,
      prerequisites: KINDS.slice(0, 4).map((kind, k) => ({
        kind,
        description: sentence(rand, 6, 14),
        level: k % 2 ? "recommended" : "required",
      })),
      phases: [1, 2, 3].map((p) => ({
        name: `Phase ${p}: ${words(rand, 3)}`,
        duration: { min: p, max: p + 2, unit: "months" },
        steps: [{ title: sentence(rand, 4, 8) }, { title: sentence(rand, 4, 8), description: sentence(rand, 10, 20) }],
        deliverables: [words(rand, 3)],
      })),
      challenges: [{ challenge: sentence(rand, 6, 12), mitigation: sentence(rand, 6, 12) }],
      costRange: { min: 100_000, max: 900_000, currency: "USD", note: "indicative" },
      readiness: [{ question: `${sentence(rand, 6, 10).slice(0, -1)}?`, weight: 3 }],
    };
  }
  return {
    ...base,
    body: markdownBody(rand, Math.floor(bodyWords / 4)),
    publisher: { name: `${city} Metropolitan Government` },
    keywords: [pick(rand, WORDS), `${pick(rand, WORDS)} data`],
    issued: "2021-03-01",
    accrualPeriodicity: "monthly",
    spatial: `${city}, ${country}`,
    distributions: [
      {
        title: "CSV",
        downloadURL: `https://data.example.org/${i}.csv`,
        mediaType: "text/csv",
        format: "CSV",
        byteSize: 1000 + i,
      },
      { title: "JSON", accessURL: `https://data.example.org/${i}.json`, mediaType: "application/json", format: "JSON" },
    ],
  };
}

/** `count` drafts of a corpus made with `seed`. */
export function generateCorpus(count: number, seed = 1): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => generateDraft(i, seed));
}
