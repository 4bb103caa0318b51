import { configureLocalization } from '@lit/localize';
import * as en from './en.ts';

/** Vietnamese is the source language of every sentence (msg ids); English is the one translation. */
export type Language = 'vi' | 'en';
const STORAGE_KEY = 'motcua.language';

const { getLocale, setLocale } = configureLocalization({
  sourceLocale: 'vi',
  targetLocales: ['en'],
  loadLocale: async () => en,
});

export function currentLanguage(): Language {
  return getLocale() === 'en' ? 'en' : 'vi';
}

/** The language this browser chose last (kept in localStorage), Vietnamese by default. */
export function savedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

/** Switches every screen to `language`, remembers it, and sets the page's lang for screen readers. */
export async function useLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
  document.documentElement.lang = language;
  await setLocale(language);
}
