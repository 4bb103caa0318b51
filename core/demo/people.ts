import type { Person } from '../dossiers/model.ts';

/**
 * Plausible Vietnamese applicants for the demo dossiers, drawn from fixed lists by a seeded
 * generator: the same seed gives the same people on every new demo database. ID numbers follow
 * the 12-digit citizen ID layout (province of birth, century-and-sex digit, year of birth, six
 * digits); the province code 024 is Bắc Giang's, where the project began.
 */

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Phan', 'Đặng', 'Bùi', 'Đỗ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Trịnh', 'Hà'];
const MIDDLE = {
  male: ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Thành', 'Xuân'],
  female: ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Minh', 'Thùy', 'Hồng'],
};
const GIVEN = {
  male: ['An', 'Bình', 'Cường', 'Dũng', 'Hùng', 'Khánh', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tuấn', 'Việt', 'Hải', 'Thắng'],
  female: ['Anh', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Phương', 'Thảo', 'Trang', 'Yến'],
};
const PLACES = [
  'thôn Đông, xã An Bình',
  'thôn Trung, xã An Bình',
  'thôn Bến, xã An Bình',
  'xóm Chùa, xã An Bình',
  'tổ dân phố số 3, phường Hòa Lạc',
  'tổ dân phố số 7, phường Hòa Lạc',
];
const STREETS = ['Lê Lợi', 'Trần Phú', 'Nguyễn Trãi', 'Hoàng Văn Thụ', 'Ngô Gia Tự', 'Lý Thái Tổ'];
const COMPANIES = ['Công ty TNHH Xây dựng Hòa Lạc', 'Công ty Cổ phần Nông sản An Bình', 'Hợp tác xã Dịch vụ nông nghiệp Đông Sơn'];

/** mulberry32: a small seeded generator, enough for picking demo data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class People {
  private readonly random: () => number;
  private readonly used = new Set<string>();
  constructor(seed = 20250701) {
    this.random = seeded(seed);
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)];
  }

  private digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.random() * 10);
    return s;
  }

  /** A citizen, never the same name twice. */
  citizen(): Person {
    const sex = this.random() < 0.5 ? 'female' : 'male';
    let name: string;
    do name = `${this.pick(FAMILY)} ${this.pick(MIDDLE[sex])} ${this.pick(GIVEN[sex])}`;
    while (this.used.has(name));
    this.used.add(name);
    const year = 1965 + Math.floor(this.random() * 40);
    const month = 1 + Math.floor(this.random() * 12);
    const day = 1 + Math.floor(this.random() * 28);
    const century = (year >= 2000 ? 2 : 0) + (sex === 'female' ? 1 : 0);
    const address =
      this.random() < 0.3 ? `Số ${1 + Math.floor(this.random() * 150)} đường ${this.pick(STREETS)}, phường Hòa Lạc` : this.pick(PLACES);
    return {
      kind: 'citizen',
      name,
      idNumber: `024${century}${String(year % 100).padStart(2, '0')}${this.digits(6)}`,
      sex,
      birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      phone: `09${this.digits(8)}`,
      address,
    };
  }

  /** An organisation (its enterprise or cooperative code as the ID number). */
  organisation(): Person {
    const name = COMPANIES.find((c) => !this.used.has(c)) ?? `${this.pick(COMPANIES)} (chi nhánh)`;
    this.used.add(name);
    return { kind: 'organisation', name, idNumber: `24${this.digits(8)}`, phone: `0204${this.digits(7)}`, address: this.pick(PLACES) };
  }
}
